"""The delivery promise: the instant ETA from a hub's picking queue, and delivery slots of
configurable length with an order capacity, a booking lead time and a same-day cut-off.

Slots are made lazily from the opening hours (`ensure_slots`), read in the platform's zone
(Asia/Seoul by default). Taking a slot is one conditional UPDATE per hub
(`booked = booked + 1 WHERE booked < capacity`): never check-then-act.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from hyperlocal.errors import InvalidInput
from hyperlocal.hubs.models import Hub, OpeningHours
from hyperlocal.orders.errors import SlotFull
from hyperlocal.orders.models import DeliverySlot, FulfilmentPolicy

__all__ = [
    "DEFAULT_HOURS",
    "SlotOption",
    "book_slots",
    "ensure_slots",
    "instant_eta_minutes",
    "policy_for",
    "release_slot",
    "slot_options",
    "slot_starts",
    "unbookable_reason",
]

# Slots of a hub that has no opening hours at all.
DEFAULT_HOURS = (time(10, 0), time(22, 0))


def instant_eta_minutes(
    *, queue_length: int, pickers: int, pick_minutes_per_order: int, prep_minutes: int, travel_minutes: float
) -> int:
    """Minutes until the door: waiting for the orders ahead (shared by the pickers), picking
    and packing this one, the ride. Each part rounds up: a promise is never optimistic."""
    if pickers <= 0:
        raise ValueError("a hub needs at least one picker")
    waiting = -(-max(0, queue_length) * pick_minutes_per_order // pickers)  # ceil, in integers
    return waiting + prep_minutes + math.ceil(travel_minutes)


def policy_for(hub: Hub) -> FulfilmentPolicy:
    """The hub's fulfilment policy, created with the defaults the first time."""
    policy, _ = FulfilmentPolicy.objects.get_or_create(hub=hub)
    return policy


def _cutoff(policy: FulfilmentPolicy) -> time:
    value = policy.same_day_cutoff
    if isinstance(value, str):  # an unsaved default is still the string "20:00"
        return time.fromisoformat(value)
    return value


def slot_starts(
    policy: FulfilmentPolicy, windows: Iterable[tuple[time, time]], day: date
) -> list[tuple[datetime, datetime]]:
    """(starts_at, ends_at) of the day's slots: each window cut into whole slots of
    policy.slot_minutes from its opening; a window closing at or before it opens runs past
    midnight. Aware datetimes in the platform's zone."""
    zone = timezone.get_default_timezone()
    length = timedelta(minutes=policy.slot_minutes)
    slots: list[tuple[datetime, datetime]] = []
    for opens, closes in windows:
        start = datetime.combine(day, opens, tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1) if closes <= opens else day, closes, tzinfo=zone)
        while start + length <= end:
            slots.append((start, start + length))
            start += length
    return sorted(slots)


def _windows(hours: Sequence[OpeningHours], weekday: int) -> list[tuple[time, time]]:
    if not hours:
        return [DEFAULT_HOURS]
    return [(h.opens_at, h.closes_at) for h in hours if h.weekday == weekday]


def _missing_slots(
    hub: Hub,
    policy: FulfilmentPolicy,
    hours: Sequence[OpeningHours],
    days: Iterable[date],
    have: set[datetime],
) -> list[DeliverySlot]:
    return [
        DeliverySlot(hub=hub, starts_at=s, ends_at=e, capacity=policy.slot_capacity)
        for day in days
        for s, e in slot_starts(policy, _windows(hours, day.weekday()), day)
        if s not in have
    ]


def ensure_slots(hub: Hub, day: date) -> int:
    """Create the day's slots of the hub from its opening hours on that weekday (10:00-22:00
    for a hub without any opening hours) and its policy; returns how many were new. Safe to
    repeat and to race: existing slots are kept as they are."""
    policy = policy_for(hub)
    hours = list(hub.opening_hours.all())
    zone = timezone.get_default_timezone()
    begin = datetime.combine(day, time(0), tzinfo=zone)
    have = set(
        DeliverySlot.objects.filter(
            hub=hub, starts_at__gte=begin, starts_at__lt=begin + timedelta(days=2)
        ).values_list("starts_at", flat=True)
    )
    new = _missing_slots(hub, policy, hours, [day], have)
    DeliverySlot.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@dataclass(frozen=True)
class SlotOption:
    """A start time bookable at every hub of the plan; remaining is the smallest spare
    capacity among them, ends_at the latest end."""

    starts_at: datetime
    ends_at: datetime
    remaining: int


def _policies(hubs: Sequence[Hub]) -> dict[int, FulfilmentPolicy]:
    policies = {p.hub_id: p for p in FulfilmentPolicy.objects.filter(hub__in=hubs)}
    missing = [FulfilmentPolicy(hub=h) for h in hubs if h.pk not in policies]
    if missing:
        FulfilmentPolicy.objects.bulk_create(missing, ignore_conflicts=True)
        policies.update({p.hub_id: p for p in FulfilmentPolicy.objects.filter(hub__in=hubs)})
    return policies


def _bookable(policy: FulfilmentPolicy, starts_at: datetime, now: datetime) -> str | None:
    """Why a slot cannot be booked now, or None."""
    return unbookable_reason(policy.slot_lead_minutes, _cutoff(policy), starts_at, now)


def unbookable_reason(lead_minutes: int, cutoff: time, starts_at: datetime, now: datetime) -> str | None:
    """Why a slot starting at `starts_at` cannot be booked at `now` under a policy with this
    booking lead and same-day cut-off, or None."""
    local_now = timezone.localtime(now)
    if starts_at - timedelta(minutes=lead_minutes) < now:
        return f"slots must be booked at least {lead_minutes} minutes before they start"
    if timezone.localtime(starts_at).date() == local_now.date() and local_now.time() > cutoff:
        return f"same-day slots can be booked until {cutoff:%H:%M}"
    return None


def slot_options(hub_ids: Sequence[int], *, now: datetime | None = None) -> list[SlotOption]:
    """Start times bookable at every given hub, soonest first: today and the next
    settings.SLOT_DAYS_AHEAD days, at least the lead time ahead, today's only until the
    same-day cut-off, each hub with room left. Creates missing slots on the way."""
    now = now or timezone.now()
    ids = sorted(set(hub_ids))
    if not ids:
        return []
    hubs = list(Hub.objects.filter(pk__in=ids).prefetch_related("opening_hours"))
    if len(hubs) != len(ids):
        return []
    policies = _policies(hubs)
    today = timezone.localtime(now).date()
    days = [today + timedelta(days=n) for n in range(-1, settings.SLOT_DAYS_AHEAD + 1)]  # -1: past midnight
    zone = timezone.get_default_timezone()
    first = datetime.combine(days[0], time(0), tzinfo=zone)
    last = datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=zone)
    slots = list(DeliverySlot.objects.filter(hub__in=hubs, starts_at__gte=first, starts_at__lt=last))
    have: dict[int, set[datetime]] = {h.pk: set() for h in hubs}
    for slot in slots:
        have[slot.hub_id].add(slot.starts_at)
    new = [
        s
        for h in hubs
        for s in _missing_slots(h, policies[h.pk], list(h.opening_hours.all()), days, have[h.pk])
    ]
    if new:
        DeliverySlot.objects.bulk_create(new, ignore_conflicts=True)
        slots += new  # a slot created meanwhile by someone else is still free enough to offer
    by_start: dict[datetime, dict[int, DeliverySlot]] = {}
    for slot in slots:
        if slot.remaining > 0 and _bookable(policies[slot.hub_id], slot.starts_at, now) is None:
            by_start.setdefault(slot.starts_at, {})[slot.hub_id] = slot
    return [
        SlotOption(start, max(s.ends_at for s in at.values()), min(s.remaining for s in at.values()))
        for start, at in sorted(by_start.items())
        if len(at) == len(ids)
    ]


def book_slots(
    hub_ids: Sequence[int], starts_at: datetime, *, now: datetime | None = None
) -> dict[int, DeliverySlot]:
    """Take one order of capacity in the slot starting at `starts_at` at each hub.

    InvalidInput(code="slot_unavailable") when a hub has no such slot, or it is too soon or
    past the same-day cut-off; SlotFull when one is full. On failure nothing stays booked.
    The returned slots show `booked` as read before plus one.
    """
    now = now or timezone.now()
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    ids = sorted(set(hub_ids))
    slots = {
        s.hub_id: s
        for s in DeliverySlot.objects.filter(hub_id__in=ids, starts_at=starts_at).select_related(
            "hub__fulfilment"
        )
    }
    when = f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"
    for hub_id in ids:
        slot = slots.get(hub_id)
        if slot is None:
            raise InvalidInput(f"there is no delivery slot at {when}", field="slot", code="slot_unavailable")
        why = _bookable(_policy_of(slot.hub), starts_at, now)
        if why:
            raise InvalidInput(
                f"the {when} slot cannot be booked now: {why}", field="slot", code="slot_unavailable"
            )
    taken: list[int] = []
    for hub_id in ids:  # a fixed order, so that concurrent bookings lock rows alike
        slot = slots[hub_id]
        done = DeliverySlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
            booked=F("booked") + 1
        )
        if not done:
            if taken:
                DeliverySlot.objects.filter(pk__in=taken).update(booked=F("booked") - 1)
            raise SlotFull(f"the {when} slot of {slot.hub.name} is full; please choose another", field="slot")
        taken.append(slot.pk)
        slot.booked += 1
    return slots


def _policy_of(hub: Hub) -> FulfilmentPolicy:
    try:
        return hub.fulfilment
    except FulfilmentPolicy.DoesNotExist:
        return FulfilmentPolicy(hub=hub)  # defaults, not written here


def release_slot(slot_id: int) -> None:
    """Give back one order of capacity (a cancelled shipment). Never below zero."""
    DeliverySlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)
