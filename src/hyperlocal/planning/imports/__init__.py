"""Imports of planning inputs: a population grid (CSV) and candidate vacant spaces (CSV or
GeoJSON). A file is imported whole or not at all; every bad row is reported."""

from hyperlocal.planning.imports.population import POPULATION_HELP, import_population_grid
from hyperlocal.planning.imports.spaces import SPACES_HELP, import_vacant_spaces

__all__ = ["POPULATION_HELP", "SPACES_HELP", "import_population_grid", "import_vacant_spaces"]
