"""Households from CSV: the whole file or nothing, every bad row reported with line and field."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hyperlocal.accounts.imports import import_households
from hyperlocal.accounts.models import Household
from hyperlocal.imports import ImportFailed
from hyperlocal.regions.models import Region

GOOD = """external_id,lat,lng,address,size
h-1,37.5572,126.9245,서울 마포구 양화로 160,2
h-2,37.5663,126.9019,,
h-3,37.5490,126.9578,공덕동,4
"""


def errors_of(data: bytes) -> set[tuple[int, str | None]]:
    with pytest.raises(ImportFailed) as exc:
        import_households(data, "households.csv")
    return {(e.line, e.field) for e in exc.value.errors}


def test_a_good_file_creates_then_updates(mapo: Region) -> None:
    report = import_households(GOOD.encode(), "households.csv")
    assert (report.created, report.updated) == (3, 0)
    h1 = Household.objects.get(external_id="h-1")
    assert (h1.source, h1.size, h1.region.code) == ("import", 2, "1144066000")
    assert Household.objects.get(external_id="h-2").size == 1
    assert Household.objects.get(external_id="h-3").region.name_en == "Gongdeok-dong"
    again = import_households(GOOD.replace(",4\n", ",5\n").encode(), "households.csv")
    assert (again.created, again.updated) == (0, 3)
    assert Household.objects.count() == 3
    assert Household.objects.get(external_id="h-3").size == 5


def test_every_bad_row_is_reported_and_nothing_changes(mapo: Region) -> None:
    import_households(GOOD.encode(), "households.csv")
    before = list(Household.objects.order_by("pk").values_list("external_id", "size", "lat"))
    bad = """external_id,lat,lng,address,size
h-1,37.5572,126.9245,updated,9
h-4,abc,126.9,,
h-5,37.55,200,,
h-6,37.4979,127.0276,,
h-1,37.5572,126.9245,,
,37.5572,126.9245,,
h-7,37.5572,126.9245,,0
h-8,37.5572,126.9245,,many
h-9,37.5572,126.9245
"""
    assert errors_of(bad.encode()) == {
        (3, "lat"),  # not a number
        (4, "lng"),  # out of range
        (5, "lat"),  # outside every region
        (6, "external_id"),  # duplicate in the file
        (7, "external_id"),  # missing
        (8, "size"),
        (9, "size"),
        (10, None),  # wrong number of cells
    }
    after = list(Household.objects.order_by("pk").values_list("external_id", "size", "lat"))
    assert after == before  # the good first row was not applied either


def test_the_messages_say_what_is_wrong(mapo: Region) -> None:
    data = b"external_id,lat,lng\nh-1,37.4979,127.0276\nh-1,37.5572,126.9245\n"
    with pytest.raises(ImportFailed) as exc:
        import_households(data, "h.csv")
    text = str(exc.value)
    assert "outside every region" in text
    assert "appears twice (lines 2 and 3)" in text
    assert exc.value.as_dict()["errors"][0] == {
        "line": 2,
        "field": "lat",
        "message": exc.value.errors[0].message,
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", (0, None)),
        (b"lat,lng\n37.5,126.9\n", (1, "external_id")),
        (b"external_id,lat,lng,colour\n", (1, "colour")),
        (b'external_id,lat,lng\n"h-1,37.5572,126.9245\n', (2, None)),  # unclosed quote
        (b"external_id,lat,lng\nh-1,37.5572,126.9245\xff\n", (0, None)),  # not UTF-8
        (b"external_id,lat,lng\nh-1,37.55\x0072,126.9245\n", (2, None)),  # NUL
    ],
)
def test_malformed_files_are_refused(mapo: Region, data: bytes, expected: tuple[int, str | None]) -> None:
    assert expected in errors_of(data)
    assert not Household.objects.exists()


def test_a_byte_order_mark_is_fine(mapo: Region) -> None:
    report = import_households("\ufeff".encode() + GOOD.encode(), "excel.csv")
    assert report.created == 3


def test_the_command_prints_the_report(mapo: Region, tmp_path: object) -> None:
    path = tmp_path / "households.csv"  # type: ignore[operator]
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_households", str(path), stdout=out)
    assert "3 created" in out.getvalue()


def test_the_command_lists_bad_rows_and_changes_nothing(mapo: Region, tmp_path: object) -> None:
    path = tmp_path / "households.csv"  # type: ignore[operator]
    path.write_text(
        "external_id,lat,lng\nh-1,37.5572,126.9245\nh-2,north,126.9\nh-3,37.5,999\n", encoding="utf-8"
    )
    with pytest.raises(CommandError) as exc:
        call_command("import_households", str(path))
    assert "line 3: lat" in str(exc.value)
    assert "line 4: lng" in str(exc.value)
    assert not Household.objects.exists()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_households", str(path) + ".missing")
