"""The import_products command."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hyperlocal.catalog.models import Product
from tests.catalog.conftest import Catalog


def test_import_products_command(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("sku,name_ko,category,unit,price_won\nN1,누룽지,snacks,1 bag,3500\n", encoding="utf-8")
    out = StringIO()
    call_command("import_products", str(path), "--merchant", "seogyo-rice", stdout=out)
    assert "1 created" in out.getvalue()
    assert Product.objects.filter(sku="N1", merchant=catalog.shop_b).exists()


def test_import_products_command_lists_bad_rows(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("sku,name_ko,category,unit,price_won\nN1,누룽지,snacks,1 bag,-1\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_products", str(path), "--merchant", "seogyo-rice", stderr=err)
    assert "line 2: price_won" in err.getvalue()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_products", str(tmp_path / "missing.csv"))
