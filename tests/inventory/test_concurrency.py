"""16 threads reserving the last units of the same few rows in random baskets: PostgreSQL
never lets reserved pass on hand, every successful basket is counted exactly once, and the
fixed lock order means no deadlock."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.models import Stock
from hyperlocal.inventory.services import StockRequest, release_units, reserve_units
from tests.factories import HubFactory, ProductFactory
from tests.inventory.conftest import stock

THREADS = 16
BASKETS_PER_THREAD = 25


class Rollback(Exception):
    """Raised inside the atomic block when a basket cannot be complete."""


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_threads_never_oversell_nor_deadlock(mapo: object) -> None:
    hubs: list[Hub] = [HubFactory(), HubFactory()]
    products: list[Product] = [ProductFactory() for _ in range(3)]
    for h in hubs:
        for p in products:
            stock(h, p, 40)  # 240 units; the threads ask for about 16 * 25 * 4 = 1,600
    rows = [(h.pk, p.pk) for h in hubs for p in products]
    lock = threading.Lock()
    taken: dict[tuple[int, int], int] = dict.fromkeys(rows, 0)
    errors: list[BaseException] = []
    outcomes = {"complete": 0, "refused": 0}
    start = threading.Barrier(THREADS)

    def client(seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for _ in range(BASKETS_PER_THREAD):
                # Lines in random order, sometimes the same row twice: the service sorts and
                # merges them, so the rows are always locked in one order.
                basket = [
                    StockRequest(*rng.choice(rows), rng.randint(1, 3)) for _ in range(rng.randint(1, 4))
                ]
                try:
                    with transaction.atomic():
                        if reserve_units(basket):
                            raise Rollback
                        time.sleep(rng.random() / 1000)  # hold the locks a moment, as checkout does
                except Rollback:
                    with lock:
                        outcomes["refused"] += 1
                    continue
                with lock:
                    outcomes["complete"] += 1
                    for r in basket:
                        taken[(r.hub_id, r.product_id)] += r.quantity
        except BaseException as exc:  # a deadlock would surface here
            with lock:
                errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert outcomes["complete"] > 0
    assert outcomes["refused"] > 0  # the last units really ran out
    for h, p in rows:
        row = Stock.objects.get(hub_id=h, product_id=p)
        assert row.on_hand == 40
        assert row.reserved == taken[(h, p)]  # every complete basket counted once, no lost update
        assert row.reserved <= row.on_hand
    # And the set-based release gives everything back in one statement.
    release_units([StockRequest(h, p, q) for (h, p), q in taken.items() if q])
    assert set(Stock.objects.values_list("reserved", flat=True)) == {0}
