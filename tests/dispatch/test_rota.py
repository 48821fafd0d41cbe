"""The demo's rolling rota: every active courier with a shift keeps one for today and
tomorrow (local dates) at the hours of their latest shift; days already planned are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hyperlocal.dispatch.models import Shift
from hyperlocal.dispatch.services.rota import roll_rota
from tests.dispatch.conftest import Fleet

ZONE = timezone.get_default_timezone()


def _local(shift: Shift) -> tuple[str, str]:
    return (
        f"{timezone.localtime(shift.starts_at):%Y-%m-%d %H:%M}",
        f"{timezone.localtime(shift.ends_at):%Y-%m-%d %H:%M}",
    )


def test_a_demo_built_weeks_ago_gets_todays_and_tomorrows_shifts(fleet: Fleet) -> None:
    courier = fleet.courier("robot", simulated=True, clocked_in=False)
    Shift.objects.filter(courier=courier).update(
        starts_at=datetime(2025, 2, 20, 9, 30, tzinfo=ZONE),
        ends_at=datetime(2025, 2, 20, 22, 30, tzinfo=ZONE),
    )
    login = fleet.courier("demo-courier", clocked_in=False)  # a courier with a login rolls too
    Shift.objects.filter(courier=login).update(
        starts_at=datetime(2025, 2, 21, 22, 0, tzinfo=ZONE), ends_at=datetime(2025, 2, 22, 6, 0, tzinfo=ZONE)
    )
    assert roll_rota(fleet.now) == 4  # fleet.now is 2025-03-14 10:00 in Seoul
    robot = [_local(s) for s in Shift.objects.filter(courier=courier).order_by("starts_at")][1:]
    assert robot == [("2025-03-14 09:30", "2025-03-14 22:30"), ("2025-03-15 09:30", "2025-03-15 22:30")]
    night = [_local(s) for s in Shift.objects.filter(courier=login).order_by("starts_at")][1:]
    assert night == [("2025-03-14 22:00", "2025-03-15 06:00"), ("2025-03-15 22:00", "2025-03-16 06:00")]
    assert roll_rota(fleet.now) == 0  # nothing missing the second time
    assert roll_rota(fleet.now + timedelta(days=1)) == 2  # the day after, one more day each


def test_a_day_already_planned_is_left_alone(fleet: Fleet) -> None:
    courier = fleet.courier("minji")  # on shift now: 09:00-17:00 today, clocked in
    before = list(Shift.objects.filter(courier=courier).values_list("pk", "starts_at", "ends_at"))
    assert roll_rota(fleet.now) == 1  # tomorrow only, at the same hours
    shifts = list(Shift.objects.filter(courier=courier).order_by("starts_at"))
    assert [(s.pk, s.starts_at, s.ends_at) for s in shifts[:1]] == before
    assert shifts[1].starts_at == shifts[0].starts_at + timedelta(days=1)


def test_inactive_couriers_and_couriers_without_shifts_get_none(fleet: Fleet) -> None:
    gone = fleet.courier("gone")
    gone.is_active = False
    gone.save()
    fresh = fleet.courier("fresh")
    Shift.objects.filter(courier=fresh).delete()
    assert roll_rota(fleet.now) == 0
    assert not Shift.objects.filter(courier=fresh).exists()
