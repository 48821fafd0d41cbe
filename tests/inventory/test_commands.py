"""`hyperlocal check_stock`: silent success, a table and exit status 1 on a mismatch."""

from __future__ import annotations

import pytest

from hyperlocal.catalog.models import Product
from hyperlocal.cli import main
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import Stock
from tests.inventory.conftest import stock

pytestmark = pytest.mark.django_db


def test_check_stock_agrees(hub: Hub, products: list[Product], capsys: pytest.CaptureFixture[str]) -> None:
    stock(hub, products[0], 5)
    main(["check_stock"])
    assert "stock agrees" in capsys.readouterr().out


def test_check_stock_reports_and_exits_1(
    hub: Hub, products: list[Product], capsys: pytest.CaptureFixture[str]
) -> None:
    stock(hub, products[0], 5)
    stock(hub, products[1], 2)
    Stock.objects.filter(product=products[1]).update(on_hand=7, reserved=1)
    with pytest.raises(SystemExit) as exited:
        main(["check_stock"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "1 stock row(s) disagree" in captured.out
    row = next(line for line in captured.out.splitlines() if f" {products[1].pk} " in line)
    assert [cell.strip() for cell in row.strip("│┃| ").split("│")] == [
        str(hub.pk),
        str(products[1].pk),
        "7",
        "2",
        "1",
        "0",
    ]
    assert "disagree with their movements" in captured.err
