"""The Han River along Mapo-gu, so that demo homes and spaces stay on land.

The riverside dongs' boundary polygons run into the river (the district boundary lies in
the water), so points sampled uniformly inside them would land in the Han. We keep out of
a band around the river's centre line. The line is drawn from public geography: east of
Wonhyo Bridge, past Mapo, Seogang (by Bamseom), the Dangsan railway bridge, Yanghwa (by
Seonyudo), Seongsan and Gayang bridges, to beyond the Nanji area. The river is about
0.8-1.2 km wide there, with riverside parks and the Gangbyeon expressway on the north bank;
a half-width of 650 m keeps homes out of both. Checked against 망원2동, whose polygon is
1.21 km² but whose land is 0.68 km² (SGIS 2024): the band takes about 42 % of the polygon
(tests/simulation/test_river.py), while no dong away from the river loses anything.
"""

from __future__ import annotations

from hyperlocal.geo import Point, distance_to_polyline_m

# (lng, lat) vertices, east to west.
HAN_RIVER_CENTRE_LINE: tuple[tuple[float, float], ...] = (
    (126.9480, 37.5305),  # east of Wonhyo Bridge, at the Yongsan-gu border
    (126.9370, 37.5325),  # Mapo Bridge
    (126.9260, 37.5365),  # Seogang Bridge, by Bamseom
    (126.9120, 37.5390),  # Dangsan railway bridge, below Jeoldusan
    (126.9000, 37.5440),  # Yanghwa Bridge, by Seonyudo
    (126.8900, 37.5515),  # Seongsan Bridge
    (126.8780, 37.5600),  # Nanji, off the mouth of Hongjecheon
    (126.8650, 37.5672),  # Gayang Bridge
    (126.8520, 37.5745),  # beyond Mapo's western tip, towards Haengju
)
RIVER_HALF_WIDTH_M = 650.0


def on_land(point: Point) -> bool:
    """False for points in the river band (water, riverside parks and expressway)."""
    return distance_to_polyline_m(point, HAN_RIVER_CENTRE_LINE) > RIVER_HALF_WIDTH_M
