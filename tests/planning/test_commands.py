"""`hyperlocal import_population` and `hyperlocal import_vacant_spaces`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from hyperlocal.geo import cell_of
from hyperlocal.planning.models import PopulationCell, VacantSpace
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE
from tests.planning.test_spaces import GOOD

CELL = cell_of(HONGDAE, settings.REGION_CELL_RESOLUTION)


def test_import_population(mapo: Region, tmp_path: Path) -> None:
    path = tmp_path / "grid.csv"
    path.write_text(f"cell,population\n{CELL},10\n", encoding="utf-8")
    out = StringIO()
    call_command("import_population", str(path), "--source", "SGIS 2024", stdout=out)
    assert "1 created" in out.getvalue()
    assert PopulationCell.objects.get().source == "SGIS 2024"
    path.write_text(f"cell,population\n{CELL},-1\nnope,1\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_population", str(path), "--source", "SGIS 2024")
    assert "line 2: population" in str(exc.value)
    assert "line 3: cell" in str(exc.value)
    assert PopulationCell.objects.get().population == 10


def test_import_vacant_spaces(mapo: Region, tmp_path: Path) -> None:
    path = tmp_path / "spaces.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_vacant_spaces", str(path), stdout=out)
    assert "2 created" in out.getvalue()
    broken = tmp_path / "spaces.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(CommandError, match="malformed JSON"):
        call_command("import_vacant_spaces", str(broken))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_vacant_spaces", str(tmp_path / "missing.csv"))
    assert VacantSpace.objects.count() == 2
