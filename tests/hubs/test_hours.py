"""Opening hours: validation and is_open_at, including windows past midnight."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hyperlocal.accounts.models import User
from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import is_open_at, set_opening_hours

SEOUL = ZoneInfo("Asia/Seoul")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Seoul time in the week of Monday 2025-06-02 (day 0 = Monday)."""
    return datetime(2025, 6, 2 + day, hour, minute, tzinfo=SEOUL)


def test_windows_including_past_midnight(hub: Hub, operator: User) -> None:
    # Weekdays 09:00-22:00; Friday and Saturday nights until 02:00; Sunday 22:00-01:00.
    windows: list[tuple[int, object, object]] = [(d, "09:00", "22:00") for d in range(5)]
    windows += [(4, "22:00", "02:00"), (5, time(18), time(2)), (6, "22:00", "01:00")]
    set_opening_hours(operator, hub, windows)
    assert hub.opening_hours.count() == 8
    assert is_open_at(hub, at(0, 9))
    assert not is_open_at(hub, at(0, 8, 59))
    assert not is_open_at(hub, at(0, 22))  # closing time is exclusive
    assert is_open_at(hub, at(4, 23, 30))  # Friday night
    assert is_open_at(hub, at(5, 1, 59))  # ... into Saturday morning
    assert not is_open_at(hub, at(5, 2))
    assert not is_open_at(hub, at(5, 12))
    assert is_open_at(hub, at(6, 0, 30))  # Saturday night into Sunday
    assert is_open_at(hub, at(7, 0, 30))  # Sunday night into Monday (the week wraps)


def test_times_are_read_in_seoul(hub: Hub, operator: User) -> None:
    set_opening_hours(operator, hub, [(0, "09:00", "10:00")])
    assert is_open_at(hub, datetime(2025, 6, 2, 0, 30, tzinfo=UTC))  # 09:30 in Seoul
    assert not is_open_at(hub, datetime(2025, 6, 2, 9, 30, tzinfo=UTC))  # 18:30 in Seoul
    assert is_open_at(hub, datetime(2025, 6, 2, 9, 30))  # naive: taken as Seoul time


def test_no_windows_means_closed_and_replacing_windows(hub: Hub, operator: User) -> None:
    assert not is_open_at(hub, at(0, 12))
    set_opening_hours(operator, hub, [(0, "00:00", "23:59")])
    set_opening_hours(operator, hub, [(1, "10:00", "11:00")])
    assert list(hub.opening_hours.values_list("weekday", flat=True)) == [1]


@pytest.mark.parametrize(
    ("windows", "field"),
    [
        ([(7, "09:00", "10:00")], "windows.0.weekday"),
        ([(-1, "09:00", "10:00")], "windows.0.weekday"),
        ([(0, "9 o'clock", "10:00")], "windows.0.opens"),
        ([(0, "09:00", "25:00")], "windows.0.closes"),
        ([(0, "09:00", "09:00")], "windows.0.closes"),
        ([(0, "09:00", "12:00"), (0, "11:00", "13:00")], "windows.1"),
        ([(6, "22:00", "03:00"), (0, "02:00", "05:00")], "windows.1"),  # Sunday night reaches Monday
        ([(0, "09:00")], "windows.0"),
        ([(0, "09:00+09:00", "10:00")], "windows.0.opens"),
    ],
)
def test_bad_windows_are_named(
    hub: Hub, operator: User, windows: list[tuple[object, ...]], field: str
) -> None:
    set_opening_hours(operator, hub, [(2, "09:00", "18:00")])
    with pytest.raises(InvalidInput) as err:
        set_opening_hours(operator, hub, windows)
    assert err.value.field == field
    assert list(hub.opening_hours.values_list("weekday", flat=True)) == [2]  # unchanged


def test_only_operators_set_hours(other_hub: Hub, operator: User) -> None:
    with pytest.raises(NotAllowed):
        set_opening_hours(operator, other_hub, [(0, "09:00", "10:00")])
    assert not other_hub.opening_hours.exists()
