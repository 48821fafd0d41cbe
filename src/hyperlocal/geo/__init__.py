"""Pure geospatial toolkit: points, distances, H3 cells, polygons, travel times.

Deliberately free of Django and of the rest of hyperlocal (stdlib, numpy, h3
only) so it can be tested and reused in isolation.
"""

from .cells import (
    cell_boundary,
    cell_centre,
    cell_of,
    cells_to_feature_collection,
    geometry_cells,
    grid_steps,
    is_cell,
    neighbourhood,
)
from .distance import EARTH_RADIUS_M, haversine_m, haversine_matrix_m, points_to_arrays
from .points import InvalidCoordinates, Point
from .polygons import (
    distance_to_polyline_m,
    geometry_area_m2,
    geometry_bbox,
    geometry_centroid,
    point_in_geometry,
    sample_points_in_geometry,
)
from .reach import reachable_cells
from .travel import (
    DEFAULT_SPEED_M_PER_MIN,
    CircuityModel,
    Mode,
    OsrmTableModel,
    TravelTimeModel,
    TravelTimeUnavailable,
    travel_model_from_config,
)

__all__ = [
    "DEFAULT_SPEED_M_PER_MIN",
    "EARTH_RADIUS_M",
    "CircuityModel",
    "InvalidCoordinates",
    "Mode",
    "OsrmTableModel",
    "Point",
    "TravelTimeModel",
    "TravelTimeUnavailable",
    "cell_boundary",
    "cell_centre",
    "cell_of",
    "cells_to_feature_collection",
    "distance_to_polyline_m",
    "geometry_area_m2",
    "geometry_bbox",
    "geometry_cells",
    "geometry_centroid",
    "grid_steps",
    "haversine_m",
    "haversine_matrix_m",
    "is_cell",
    "neighbourhood",
    "point_in_geometry",
    "points_to_arrays",
    "reachable_cells",
    "sample_points_in_geometry",
    "travel_model_from_config",
]
