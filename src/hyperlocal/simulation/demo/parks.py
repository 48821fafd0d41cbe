"""The large inland parks of Mapo-gu, so that demo homes, spaces and people stay out of them.

The riverside parks (Mangwon, Nanji and the other Hangang parks) lie in the river band
(river.py). Inland, World Cup Park (347 ha, built from 2002 on the old Nanjido landfill)
takes a large part of Sangam-dong and Seongsan-dong: the two landfill mounds, Haneul Park
(landfill 2, 98 m high) and Noeul Park (landfill 1), and Pyeonghwa Park between them and the
World Cup Stadium (37.5683, 126.8972). Nobody lives there.

Each park is an ellipse (centre, east-west and north-south half-axes in metres) drawn
roughly from public maps and kept inside the park's real outline, so that no neighbourhood
is taken by mistake (it errs towards leaving some park edge as land). Smaller parks
(Gyeongui Line Forest Park, a strip between homes; neighbourhood parks) are left as land.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hyperlocal.geo import Point
from hyperlocal.simulation.demo.river import on_land

_M_PER_DEG_LAT = 111_195.0


@dataclass(frozen=True)
class Park:
    name: str
    lat: float
    lng: float
    half_ew_m: float
    half_ns_m: float

    def holds(self, point: Point) -> bool:
        dy = (point.lat - self.lat) * _M_PER_DEG_LAT
        dx = (point.lng - self.lng) * _M_PER_DEG_LAT * math.cos(math.radians(self.lat))
        return (dx / self.half_ew_m) ** 2 + (dy / self.half_ns_m) ** 2 <= 1.0


PARKS: tuple[Park, ...] = (
    Park("Haneul Park (World Cup Park, landfill 2)", 37.5680, 126.8855, 500.0, 200.0),
    Park("Noeul Park (World Cup Park, landfill 1)", 37.5665, 126.8740, 450.0, 180.0),
    Park("Pyeonghwa Park (World Cup Park)", 37.5650, 126.8925, 280.0, 150.0),
)


def in_park(point: Point) -> bool:
    return any(park.holds(point) for park in PARKS)


def habitable(point: Point) -> bool:
    """On land (out of the river band) and out of the large parks: where homes may stand."""
    return on_land(point) and not in_park(point)
