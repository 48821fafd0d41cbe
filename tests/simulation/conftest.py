"""A small demo city shared by the read-only tests of a module.

Building takes about a second; the read-only tests share one build per module, made inside
a transaction that is rolled back when the module ends (each test still runs in its own
savepoint through the `db` fixture), so nothing leaks into other tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from hyperlocal.simulation.demo import BuildOutcome, build_demo

SMALL = 800
SEED = 11


@pytest.fixture(scope="module")
def small_city(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[BuildOutcome]:
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        yield build_demo(seed=SEED, households=SMALL)
        transaction.set_rollback(True)


@pytest.fixture
def city(small_city: BuildOutcome, db: None) -> BuildOutcome:
    return small_city
