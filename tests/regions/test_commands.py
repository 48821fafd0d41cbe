"""`hyperlocal load_regions`: Mapo-gu by default, another district from files."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hyperlocal.regions.models import Region, RegionCell


def test_default_loads_mapo(db: None) -> None:
    out = StringIO()
    call_command("load_regions", stdout=out)
    assert "16 dongs" in out.getvalue()
    assert Region.objects.get(code="11440").children.count() == 16


def test_another_district_from_files(db: None, district_files: tuple[Path, Path]) -> None:
    geojson, stats = district_files
    out = StringIO()
    call_command(
        "load_regions", "--geojson", str(geojson), "--csv", str(stats), "--code", "11680",
        "--name-ko", "강남구", "--name-en", "Gangnam-gu", stdout=out,
    )  # fmt: skip
    assert "2 dongs" in out.getvalue()
    yeoksam = Region.objects.get(code="1168010100")
    assert (yeoksam.name_en, yeoksam.population) == ("Yeoksam-dong", 1000)
    assert Region.objects.get(code="1168010200").name_ko == "서초동"  # from adm_nm: no statistics row
    assert RegionCell.objects.filter(region__parent__code="11680").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "11680"], "go with --geojson"),
        (["--geojson", "{geojson}"], "--code is required"),
        (["--geojson", "{geojson}", "--code", "11680"], "--name-ko is required"),
        (["--geojson", "{missing}", "--code", "11680", "--name-ko", "x"], "cannot read"),
        (["--geojson", "{broken}", "--code", "11680", "--name-ko", "x"], "malformed JSON at line 1"),
        (["--geojson", "{geojson}", "--code", "11440", "--name-ko", "x"], "line 1: adm_cd2"),
        (["--geojson", "{geojson}", "--csv", "{badcsv}", "--code", "11680", "--name-ko", "x"], "line 2: lat"),
    ],
)
def test_bad_input_is_a_command_error(
    db: None, district_files: tuple[Path, Path], tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "broken.geojson").write_text("{not json", encoding="utf-8")
    (tmp_path / "bad.csv").write_text("adm_code,name_ko,lat,lng\n1168010100,역삼동,x,127\n", encoding="utf-8")
    paths = {
        "geojson": str(district_files[0]),
        "missing": str(tmp_path / "missing.geojson"),
        "broken": str(tmp_path / "broken.geojson"),
        "badcsv": str(tmp_path / "bad.csv"),
    }
    with pytest.raises(CommandError, match=message):
        call_command("load_regions", *[a.format(**paths) for a in args])
    assert not Region.objects.exists()
