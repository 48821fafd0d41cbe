"""The delivery promise: instant ETA, slots from opening hours in Asia/Seoul, lead time,
same-day cut-off, capacity and booking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub, OpeningHours
from hyperlocal.orders.errors import SlotFull
from hyperlocal.orders.models import DeliverySlot, FulfilmentPolicy
from hyperlocal.orders.services.promise import (
    book_slots,
    ensure_slots,
    instant_eta_minutes,
    policy_for,
    release_slot,
    slot_options,
)
from hyperlocal.regions.models import Region
from tests.factories import HubFactory

SEOUL = ZoneInfo("Asia/Seoul")
WEDNESDAY = date(2030, 6, 12)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=SEOUL)


@pytest.fixture
def hub(mapo: Region) -> Hub:
    return HubFactory(name="Mapo Office Hub")


@pytest.fixture
def other(mapo: Region) -> Hub:
    return HubFactory(name="Hongdae Hub")


def starts(hub: Hub, day: date) -> list[str]:
    rows = DeliverySlot.objects.filter(
        hub=hub, starts_at__gte=at(day, 0), starts_at__lt=at(day, 0) + timedelta(1)
    )
    return [f"{s.starts_at.astimezone(SEOUL):%H:%M}-{s.ends_at.astimezone(SEOUL):%H:%M}" for s in rows]


@pytest.mark.parametrize(
    ("queue", "pickers", "pick", "prep", "travel", "eta"),
    [
        (0, 2, 4, 10, 7.0, 17),
        (3, 2, 4, 10, 7.0, 23),  # 12 minutes of picking shared by 2: 6
        (3, 2, 3, 10, 6.2, 22),  # 4.5 -> 5, 6.2 -> 7: a promise rounds up
        (1, 4, 4, 8, 0.0, 9),
    ],
)
def test_instant_eta(queue: int, pickers: int, pick: int, prep: int, travel: float, eta: int) -> None:
    got = instant_eta_minutes(
        queue_length=queue,
        pickers=pickers,
        pick_minutes_per_order=pick,
        prep_minutes=prep,
        travel_minutes=travel,
    )
    assert got == eta


def test_policy_for_creates_the_defaults_once(hub: Hub) -> None:
    policy = policy_for(hub)
    assert (policy.pickers, policy.slot_minutes, policy.slot_capacity) == (2, 60, 12)
    assert policy_for(hub).pk == policy.pk
    assert FulfilmentPolicy.objects.filter(hub=hub).count() == 1


def test_a_hub_without_opening_hours_gets_ten_to_ten_in_seoul_time(hub: Hub) -> None:
    assert ensure_slots(hub, WEDNESDAY) == 12
    assert starts(hub, WEDNESDAY)[0] == "10:00-11:00"
    assert starts(hub, WEDNESDAY)[-1] == "21:00-22:00"
    first = DeliverySlot.objects.filter(hub=hub).first()
    assert first is not None
    assert first.starts_at == datetime(2030, 6, 12, 1, 0, tzinfo=UTC)  # 10:00 KST
    assert first.capacity == 12
    assert ensure_slots(hub, WEDNESDAY) == 0  # repeatable
    assert DeliverySlot.objects.filter(hub=hub).count() == 12


def test_slots_follow_the_weekdays_windows_and_the_policy(hub: Hub) -> None:
    FulfilmentPolicy.objects.create(hub=hub, slot_minutes=90, slot_capacity=3)
    OpeningHours.objects.create(hub=hub, weekday=2, opens_at=time(8), closes_at=time(11))
    OpeningHours.objects.create(hub=hub, weekday=2, opens_at=time(22), closes_at=time(1))  # past midnight
    OpeningHours.objects.create(hub=hub, weekday=3, opens_at=time(9), closes_at=time(10))  # too short
    assert ensure_slots(hub, WEDNESDAY) == 4
    assert starts(hub, WEDNESDAY) == ["08:00-09:30", "09:30-11:00", "22:00-23:30", "23:30-01:00"]
    late = DeliverySlot.objects.get(hub=hub, starts_at=at(WEDNESDAY, 23, 30))
    assert late.ends_at == at(WEDNESDAY + timedelta(1), 1, 0)
    assert late.capacity == 3
    assert ensure_slots(hub, WEDNESDAY + timedelta(1)) == 0  # Thursday: 9-10 holds no 90-minute slot
    assert ensure_slots(hub, WEDNESDAY + timedelta(2)) == 0  # Friday: closed


def test_options_respect_lead_time_days_ahead_and_cutoff(hub: Hub) -> None:
    options = slot_options([hub.pk], now=at(WEDNESDAY, 10, 10))
    assert options[0].starts_at == at(WEDNESDAY, 11)  # 11:00 - 30 min lead >= 10:10
    assert options[0].ends_at == at(WEDNESDAY, 12)
    assert options[0].remaining == 12
    assert options[-1].starts_at == at(WEDNESDAY + timedelta(2), 21)  # SLOT_DAYS_AHEAD = 2
    assert len(options) == 11 + 12 + 12

    assert slot_options([hub.pk], now=at(WEDNESDAY, 10, 31))[0].starts_at == at(WEDNESDAY, 12)

    after_cutoff = slot_options([hub.pk], now=at(WEDNESDAY, 20, 1))
    assert after_cutoff[0].starts_at == at(WEDNESDAY + timedelta(1), 10)  # 21:00 today is gone
    with override_settings(SLOT_DAYS_AHEAD=0):
        assert slot_options([hub.pk], now=at(WEDNESDAY, 20, 1)) == []


def test_options_need_room_at_every_hub(hub: Hub, other: Hub) -> None:
    now = at(WEDNESDAY, 9)
    OpeningHours.objects.create(hub=other, weekday=2, opens_at=time(10), closes_at=time(13))  # Wed only
    assert len(slot_options([hub.pk, other.pk], now=now)) == 3
    DeliverySlot.objects.filter(hub=hub, starts_at=at(WEDNESDAY, 10)).update(booked=12)
    DeliverySlot.objects.filter(hub=other, starts_at=at(WEDNESDAY, 11)).update(booked=10)
    options = slot_options([hub.pk, other.pk], now=now)
    assert [(o.starts_at, o.remaining) for o in options] == [(at(WEDNESDAY, 11), 2), (at(WEDNESDAY, 12), 12)]
    assert slot_options([hub.pk, other.pk, 999_999], now=now) == []  # an unknown hub offers nothing


def test_booking_takes_capacity_at_every_hub(hub: Hub, other: Hub) -> None:
    now = at(WEDNESDAY, 9)
    slot_options([hub.pk, other.pk], now=now)
    slots = book_slots([other.pk, hub.pk, hub.pk], at(WEDNESDAY, 12), now=now)
    assert sorted(slots) == sorted([hub.pk, other.pk])
    assert [s.booked for s in DeliverySlot.objects.filter(starts_at=at(WEDNESDAY, 12))] == [1, 1]
    assert slots[hub.pk].booked == 1
    release_slot(slots[hub.pk].pk)
    release_slot(slots[hub.pk].pk)  # never below zero
    assert DeliverySlot.objects.get(pk=slots[hub.pk].pk).booked == 0


def test_a_full_slot_is_a_conflict_and_leaves_nothing_booked(hub: Hub, other: Hub) -> None:
    now = at(WEDNESDAY, 9)
    slot_options([hub.pk, other.pk], now=now)
    DeliverySlot.objects.filter(hub=other, starts_at=at(WEDNESDAY, 12)).update(booked=12)
    with pytest.raises(SlotFull) as err:
        book_slots([hub.pk, other.pk], at(WEDNESDAY, 12), now=now)
    assert err.value.code == "slot_full"
    assert err.value.status_code == 409
    assert "Hongdae Hub" in err.value.message
    assert DeliverySlot.objects.get(hub=hub, starts_at=at(WEDNESDAY, 12)).booked == 0


def test_last_places_go_one_by_one(hub: Hub) -> None:
    FulfilmentPolicy.objects.create(hub=hub, slot_capacity=2)
    now = at(WEDNESDAY, 9)
    ensure_slots(hub, WEDNESDAY)
    book_slots([hub.pk], at(WEDNESDAY, 15), now=now)
    book_slots([hub.pk], at(WEDNESDAY, 15), now=now)
    with pytest.raises(SlotFull):
        book_slots([hub.pk], at(WEDNESDAY, 15), now=now)
    assert DeliverySlot.objects.get(hub=hub, starts_at=at(WEDNESDAY, 15)).booked == 2
    assert at(WEDNESDAY, 15) not in [o.starts_at for o in slot_options([hub.pk], now=now)]


@pytest.mark.parametrize(
    ("starts_at", "now", "why"),
    [
        (at(WEDNESDAY, 12, 30), at(WEDNESDAY, 9), "there is no delivery slot at 2030-06-12 12:30"),
        (at(WEDNESDAY, 12), at(WEDNESDAY, 11, 45), "at least 30 minutes before"),
        (at(WEDNESDAY, 21), at(WEDNESDAY, 20, 5), "same-day slots can be booked until 20:00"),
        (at(WEDNESDAY, 10), at(WEDNESDAY, 11), "at least 30 minutes before"),
    ],
)
def test_unavailable_slots_are_refused(hub: Hub, starts_at: datetime, now: datetime, why: str) -> None:
    ensure_slots(hub, WEDNESDAY)
    with pytest.raises(InvalidInput) as err:
        book_slots([hub.pk], starts_at, now=now)
    assert err.value.code == "slot_unavailable"
    assert why in err.value.message
    assert sum(DeliverySlot.objects.filter(hub=hub).values_list("booked", flat=True)) == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_overfill_a_slot(mapo: Region) -> None:
    """Real threads, each in its own transaction, race for the last places of one slot."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
        pytest.skip(reason)
    hub = HubFactory(name="Busy Hub")
    FulfilmentPolicy.objects.create(hub=hub, slot_capacity=3)
    ensure_slots(hub, WEDNESDAY)
    start, now = at(WEDNESDAY, 15), at(WEDNESDAY, 9)

    def attempt(_: int) -> str:
        try:
            with transaction.atomic():
                book_slots([hub.pk], start, now=now)
            return "booked"
        except SlotFull:
            return "full"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(16)))
    assert results.count("booked") == 3
    assert results.count("full") == 13
    assert DeliverySlot.objects.get(hub=hub, starts_at=start).booked == 3
