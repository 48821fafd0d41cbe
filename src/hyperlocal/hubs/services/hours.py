"""Opening hours: weekly windows, possibly running past midnight, in the platform's zone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.hubs.models import Hub, OpeningHours
from hyperlocal.hubs.services.permissions import AnyUser, can_operate

Window = tuple[int, time, time]
DAY = 24 * 60
WEEK = 7 * DAY
MAX_WINDOWS = 28


def _time(value: object, field: str) -> time:
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value.strip())
        except ValueError:
            raise InvalidInput(f"{field} must be a time like 09:30, got {value!r}", field=field) from None
    if not isinstance(value, time):
        raise InvalidInput(f"{field} must be a time like 09:30", field=field)
    if value.tzinfo is not None:
        raise InvalidInput(f"{field} must be a local time without a zone", field=field)
    return value.replace(microsecond=0)


def _span(window: Window) -> tuple[int, int]:
    """Minutes from Monday 00:00; a window past midnight ends the next day."""
    weekday, opens, closes = window
    start = weekday * DAY + opens.hour * 60 + opens.minute
    end = weekday * DAY + closes.hour * 60 + closes.minute
    return start, end + DAY if closes <= opens else end


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Sunday's late window wraps into Monday: compare on the week's circle.
    return any(a[0] < b[1] + shift and b[0] + shift < a[1] for shift in (-WEEK, 0, WEEK))


def clean_windows(windows: Iterable[Sequence[object]]) -> list[Window]:
    """(weekday 0=Monday..6, opens, closes) triples; times as time or "HH:MM". Closing at or
    before opening runs past midnight. Errors name "windows.<i>.<part>"."""
    cleaned: list[Window] = []
    for i, window in enumerate(windows):
        if len(cleaned) >= MAX_WINDOWS:
            raise InvalidInput(f"at most {MAX_WINDOWS} windows", field="windows")
        if isinstance(window, str) or len(window) != 3:
            raise InvalidInput("each window is (weekday, opens, closes)", field=f"windows.{i}")
        weekday, opens, closes = window
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise InvalidInput("weekday must be 0 (Monday) to 6 (Sunday)", field=f"windows.{i}.weekday")
        start, end = _time(opens, f"windows.{i}.opens"), _time(closes, f"windows.{i}.closes")
        if start == end:
            raise InvalidInput(
                "a window must not open and close at the same time", field=f"windows.{i}.closes"
            )
        for j, other in enumerate(cleaned):
            if _overlap(_span(other), _span((weekday, start, end))):
                raise InvalidInput(f"window overlaps window {j}", field=f"windows.{i}")
        cleaned.append((weekday, start, end))
    return sorted(cleaned)


def set_opening_hours(user: AnyUser, hub: Hub, windows: Iterable[Sequence[object]]) -> None:
    """Replace the hub's opening hours with these windows (an empty list: closed)."""
    if not can_operate(user, hub):
        raise NotAllowed(f"only the operators of {hub.name} may change its opening hours")
    cleaned = clean_windows(windows)
    with transaction.atomic():
        OpeningHours.objects.filter(hub=hub).delete()
        OpeningHours.objects.bulk_create(
            [OpeningHours(hub=hub, weekday=w, opens_at=o, closes_at=c) for w, o, c in cleaned]
        )


def is_open_at(hub: Hub, when: datetime) -> bool:
    """Whether `when` falls in one of the hub's windows, read in the platform's time zone
    (a naive `when` is taken as local time). A hub without windows is closed."""
    local = timezone.localtime(when if timezone.is_aware(when) else timezone.make_aware(when))
    minute = local.weekday() * DAY + local.hour * 60 + local.minute
    windows = hub.opening_hours.all()
    return any(
        start <= m < end
        for w in windows
        for start, end in [_span((w.weekday, w.opens_at, w.closes_at))]
        for m in (minute, minute + WEEK)  # a Sunday window past midnight reaches into Monday
    )
