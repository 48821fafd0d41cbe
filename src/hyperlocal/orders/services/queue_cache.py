"""The picking queue's length per hub, for the instant ETA, cached per process for a moment.

Counting a hub's waiting shipments was the heaviest part of a checkout's first read (an
index scan per serving hub per order). A queue a couple of seconds old gives the same ETA to
the minute, so each process counts every hub's queue at most once per
settings.PICKING_QUEUE_CACHE_S and checkouts read the counts from memory. 0 turns the cache
off: the checkout's read then counts the queue itself (the tests run that way, so that an
order placed just before shows in the next quote).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from hyperlocal.orders.services import placement_sql as q

__all__ = ["cache_seconds", "clear", "queue_lengths"]

_lock = threading.Lock()
_cached: tuple[float, dict[int, int]] | None = None  # (monotonic time counted, hub id -> length)


def cache_seconds() -> float:
    return float(getattr(settings, "PICKING_QUEUE_CACHE_S", 0.0))


def clear() -> None:
    global _cached
    with _lock:
        _cached = None


def queue_lengths(
    now: datetime,
    params: Callable[[datetime], list[Any]],
    *,
    clock: Callable[[], float] = time.monotonic,
    wall_clock: Callable[[], datetime] = timezone.now,
) -> dict[int, int]:
    """Hub id -> shipments waiting to be picked (hubs with none are absent): at most
    cache_seconds() old when `now` is the present, else counted for `now` and not cached.
    `params` gives the count's parameters for `now` (statuses, kind, horizon), as the live
    column takes them."""
    global _cached
    seconds = cache_seconds()
    # The cache holds the queue as of the real present; a quote for another moment (a
    # simulated clock, a test's pinned time) counts for that moment and leaves it alone.
    present = abs((now - wall_clock()).total_seconds()) <= seconds
    moment = clock()
    with _lock:
        cached = _cached
    if present and cached is not None and moment - cached[0] < seconds:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute(q.queue_lengths_sql(), params(now))
        lengths = {int(hub_id): int(n) for hub_id, n in cursor.fetchall()}
    if present:
        with _lock:
            _cached = (moment, lengths)
    return lengths
