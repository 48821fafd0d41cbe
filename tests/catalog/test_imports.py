"""Products from CSV: upsert by (merchant, SKU); any bad row refuses the whole file."""

from __future__ import annotations

import pytest

from hyperlocal.catalog.imports import import_products
from hyperlocal.catalog.models import Product
from hyperlocal.imports import ImportFailed
from tests.catalog.conftest import Catalog

HEADER = "merchant,sku,name_ko,name_en,description,category,unit,price_won,barcode,perishable,origin\n"


def state() -> list[tuple[str, str, int, str | None]]:
    return sorted(
        (p.merchant.slug, p.sku, p.price_won, p.origin.code if p.origin else None)
        for p in Product.objects.select_related("merchant", "origin")
    )


def test_good_file_creates_and_updates(catalog: Catalog) -> None:
    data = (
        HEADER
        + 'mangwon-greens,tan-1,제주 감귤 5kg,Jeju tangerines,,fruit,5 kg,"29,000",8801234567890,yes,jeju\n'
        + "mangwon-greens,HB-2,한라봉,Hallabong,,fruit,2 kg,32000,,true,jeju\n"
        + "seogyo-rice,MILLET,잡곡,,,rice_grains,1 kg,8000,,,\n"
    ).encode()
    report = import_products(data, "products.csv")
    assert (report.created, report.updated) == (2, 1)
    catalog.tangerines.refresh_from_db()
    assert catalog.tangerines.price_won == 29000  # matched case-insensitively on SKU
    assert catalog.tangerines.name_ko == "제주 감귤 5kg"
    hallabong = Product.objects.get(sku="HB-2")
    assert hallabong.perishable
    assert hallabong.origin == catalog.jeju
    assert Product.objects.get(sku="MILLET").origin is None


def test_merchant_option_and_optional_columns(catalog: Catalog) -> None:
    data = "sku,name_ko,category,unit,price_won\nN1,누룽지,snacks,1 bag,3500\n".encode()
    report = import_products(data, "p.csv", merchant_slug="seogyo-rice")
    assert report.created == 1
    assert Product.objects.get(sku="N1").merchant == catalog.shop_b
    with pytest.raises(ImportFailed) as err:
        import_products(data, "p.csv", merchant_slug="nobody")
    assert err.value.errors[0].field == "merchant"


def test_every_bad_row_is_reported_and_nothing_changes(catalog: Catalog) -> None:
    before = state()
    data = (
        HEADER
        + "mangwon-greens,OK-1,좋은 상품,,,fruit,1,1000,,,\n"  # line 2: good, yet not written
        + "mangwon-greens,NEG,음수,,,fruit,1,-5,,,\n"  # line 3
        + "mangwon-greens,FLT,소수,,,fruit,1,1000.5,,,\n"  # line 4
        + "nobody,X,누구,,,fruit,1,1000,,,\n"  # line 5
        + "mangwon-greens,ORI,원산지,,,fruit,1,1000,,,atlantis\n"  # line 6
        + "mangwon-greens,CAT,분류,,,spaceships,1,1000,,,\n"  # line 7
        + "mangwon-greens,ok-1,중복,,,fruit,1,1000,,,\n"  # line 8: duplicate of line 2
        + "mangwon-greens,BAR,바코드,,,fruit,1,1000,12ab,,\n"  # line 9
        + "mangwon-greens,PER,신선,,,fruit,1,1000,,maybe,\n"  # line 10
        + "mangwon-greens,,이름,,,fruit,1,1000,,,\n"  # line 11
        + "mangwon-greens,SHORT,짧은\n"  # line 12: wrong number of cells
    ).encode()
    with pytest.raises(ImportFailed) as err:
        import_products(data, "bad.csv")
    found = {(e.line, e.field) for e in err.value.errors}
    assert found == {
        (3, "price_won"),
        (4, "price_won"),
        (5, "merchant"),
        (6, "origin"),
        (7, "category"),
        (8, "sku"),
        (9, "barcode"),
        (10, "perishable"),
        (11, "sku"),
        (12, None),
    }
    assert "line 2" in next(e.message for e in err.value.errors if e.line == 8)
    assert err.value.status_code == 422
    assert state() == before


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", 0),
        (b"\xff\xfe not utf-8", 0),
        (b"sku,name_ko\nA,b\n", 1),  # missing columns
        (HEADER.encode() + b'mangwon-greens,"unterminated,x,fruit,1,1,,,\n', 2),
    ],
)
def test_malformed_files_are_refused(catalog: Catalog, data: bytes, line: int) -> None:
    before = state()
    with pytest.raises(ImportFailed) as err:
        import_products(data, "broken.csv")
    assert err.value.errors[0].line == line
    assert state() == before


def test_nul_bytes_are_refused_not_sent_to_the_database(catalog: Catalog) -> None:
    data = HEADER.encode() + "mangwon-greens\x00,A\x00,이름,,,fruit,1,1,,,ji\x00ju\n".encode()
    with pytest.raises(ImportFailed) as err:
        import_products(data, "nul.csv")
    assert {e.field for e in err.value.errors} >= {"merchant", "sku", "origin"}


def test_empty_optional_cells_keep_existing_values(catalog: Catalog) -> None:
    data = (HEADER + "mangwon-greens,TAN-1,제주 감귤,,,fruit,3 kg,21000,,,\n").encode()
    assert import_products(data, "p.csv").updated == 1
    catalog.tangerines.refresh_from_db()
    assert catalog.tangerines.price_won == 21000
    assert catalog.tangerines.perishable is True
    assert catalog.tangerines.origin == catalog.jeju
    assert catalog.tangerines.barcode == "8801234567890"
    assert catalog.tangerines.name_en == "Jeju tangerines 3 kg"
