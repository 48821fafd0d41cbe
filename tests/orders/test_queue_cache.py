"""The per-process cache of picking-queue lengths behind the instant ETA."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import override_settings

from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub
from hyperlocal.orders.services import queue_cache
from hyperlocal.orders.services.candidates import _queue_params, candidates_for
from tests.factories import StockFactory
from tests.orders.test_candidates import CELL, NOW, office, queue, ride, tangerine

__all__ = ["office", "tangerine"]


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    queue_cache.clear()
    yield
    queue_cache.clear()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@override_settings(PICKING_QUEUE_CACHE_S=2.0)
def test_lengths_are_counted_once_per_interval(office: Hub) -> None:
    clock = Clock()
    queue(office, 3)

    def lengths() -> dict[int, int]:
        # NOW is the present here: the wall clock reads NOW plus a second.
        return queue_cache.queue_lengths(
            NOW, _queue_params, clock=clock, wall_clock=lambda: NOW + timedelta(seconds=1)
        )

    assert lengths() == {office.pk: 3}
    queue(office, 2)
    clock.now += 1.9  # still fresh: the count of a moment ago
    assert lengths() == {office.pk: 3}
    clock.now += 0.2  # older than 2 s: counted again
    assert lengths() == {office.pk: 5}


@override_settings(PICKING_QUEUE_CACHE_S=2.0)
def test_another_moment_is_counted_for_itself_and_not_cached(office: Hub) -> None:
    """A simulated clock (simulate --db) or a pinned time is not the present: no cache."""
    clock = Clock()
    queue(office, 3)
    assert queue_cache.queue_lengths(NOW, _queue_params, clock=clock) == {office.pk: 3}
    queue(office, 2)  # NOW is years away from the real clock: counted again at once
    assert queue_cache.queue_lengths(NOW, _queue_params, clock=clock) == {office.pk: 5}


@override_settings(PICKING_QUEUE_CACHE_S=0.0)
def test_zero_turns_the_cache_off(office: Hub) -> None:
    clock = Clock()
    queue(office, 1)
    assert queue_cache.queue_lengths(NOW, _queue_params, clock=clock) == {office.pk: 1}
    queue(office, 1)
    assert queue_cache.queue_lengths(NOW, _queue_params, clock=clock) == {office.pk: 2}


@pytest.mark.parametrize("seconds", [0.0, 60.0])
def test_the_eta_is_the_same_with_the_cache_on_or_off(
    seconds: float,
    office: Hub,
    tangerine: Product,
) -> None:
    """The checkout's read leaves the queue out when the cache is on; the ETA must not change."""
    StockFactory(hub=office, product=tangerine, on_hand=5)
    queue(office, 4)
    with override_settings(PICKING_QUEUE_CACHE_S=seconds):
        [candidate] = candidates_for(CELL, {tangerine.pk: 1}, now=NOW)[0]
    # Four waiting with the default two pickers at four minutes each, then prep and the ride.
    assert candidate.eta_minutes == math.ceil(4 * 4 / 2) + 10 + math.ceil(ride(office))
