"""A rolling rota for the demo: every active courier keeps a shift for today and tomorrow, at
the hours of their latest planned shift, so that a demo city built weeks ago still has
couriers on shift. The worker runs it only while the demo setting (DISPATCH_AUTOPILOT) is on;
in production the hubs plan their shifts.

Days are local dates (settings.TIME_ZONE, Asia/Seoul). A day already holding a shift of the
courier that overlaps the rota's hours is left alone. Shifts are written with one INSERT that
skips a (courier, start) already planned, so that two runs racing plan each shift once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from hyperlocal.dispatch.models import Courier, Shift

__all__ = ["DAYS_AHEAD", "roll_rota"]

# Today and tomorrow.
DAYS_AHEAD = 2


def _local_days(now: datetime, days: int) -> list[date]:
    today = timezone.localtime(now).date()
    return [today + timedelta(days=n) for n in range(days)]


def roll_rota(now: datetime | None = None, *, days: int = DAYS_AHEAD) -> int:
    """Plan the missing shifts of the coming `days` local days for every active courier who
    has a shift at all, copying the local hours of their latest one. Returns how many shifts
    were missing (a run racing this one may have written some of them)."""
    now = now or timezone.now()
    latest = Shift.objects.filter(courier=OuterRef("pk")).order_by("-starts_at", "-pk")
    couriers = (
        Courier.objects.filter(is_active=True)
        .annotate(
            last_start=Subquery(latest.values("starts_at")[:1]),
            last_end=Subquery(latest.values("ends_at")[:1]),
        )
        .filter(last_start__isnull=False)
        .order_by("pk")
    )
    zone = timezone.get_default_timezone()
    wanted: list[Shift] = []
    for courier in couriers:
        start = timezone.localtime(courier.last_start)
        length = courier.last_end - courier.last_start
        for day in _local_days(now, days):
            starts_at = datetime.combine(day, start.time().replace(tzinfo=None), tzinfo=zone)
            wanted.append(Shift(courier=courier, starts_at=starts_at, ends_at=starts_at + length))
    if not wanted:
        return 0
    first, last = min(s.starts_at for s in wanted), max(s.ends_at for s in wanted)
    planned: dict[int, list[tuple[datetime, datetime]]] = {}
    for courier_id, starts_at, ends_at in Shift.objects.filter(
        courier_id__in={s.courier_id for s in wanted}, starts_at__lt=last, ends_at__gt=first
    ).values_list("courier_id", "starts_at", "ends_at"):
        planned.setdefault(courier_id, []).append((starts_at, ends_at))
    missing = [
        s
        for s in wanted
        if not any(a < s.ends_at and s.starts_at < b for a, b in planned.get(s.courier_id, []))
    ]
    Shift.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
