"""Site plans as jobs: who may ask, idempotent requests, the job queued on commit, a plan run
once, failures recorded (never left running), progress written sparingly, the stalled-plan
sweep, and the worker running queued jobs from the database backend."""

from __future__ import annotations

import time as real_time
from collections.abc import Callable, Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services import plans
from hyperlocal.regions.models import Region
from hyperlocal.worker.queued import QueuedJobsThread, database_backend_alias, run_ready_jobs
from tests.factories import HubFactory
from tests.planning.plan_helpers import BASE, SmallWorld, operator, platform_admin, resident, small_world

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def world(mapo: Region) -> SmallWorld:
    return small_world()


@pytest.fixture
def planner(db: None) -> User:
    return operator()


def test_a_plan_is_queued_and_runs_when_the_request_commits(
    world: SmallWorld, planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        plan, created = plans.request_plan(planner, BASE | {"p": "1"})
    assert created
    assert len(callbacks) == 1  # the job goes out on commit, not before
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.QUEUED
    assert plan.region.code == "11440"
    assert plan.requested_by == planner
    assert plan.parameters["p"] == 1  # cleaned: "1" became a number
    callbacks[0]()  # the immediate backend of the tests runs the job now
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.DONE, plan.error
    assert plan.result is not None
    new = [s["space_id"] for s in plan.result["sites"] if s["kind"] == "new"]
    assert len(new) == 1
    assert new[0] in {s.pk for s in world.spaces}
    assert plan.started_at is not None
    assert plan.finished_at is not None
    assert plan.progress == "done"


def test_hub_operators_and_platform_admins_plan_residents_do_not(world: SmallWorld) -> None:
    for user in (
        operator("op"),
        platform_admin("admin"),
        HubFactory().operators.create(username="runs-a-hub"),
    ):
        plan, created = plans.request_plan(user, BASE)
        assert created
        assert plans.get_plan(user, plan.pk) == plan
    someone = resident()
    with pytest.raises(NotAllowed):
        plans.request_plan(someone, BASE)
    with pytest.raises(NotAllowed):
        plans.list_plans(someone)
    with pytest.raises(NotAllowed):
        plans.get_plan(someone, plan.pk)
    assert SitePlan.objects.count() == 3


def test_bad_parameters_are_refused_naming_the_field_and_nothing_is_written(
    world: SmallWorld, planner: User
) -> None:
    for raw, field in (
        ({"p": "0"}, "p"),
        ({"promise_minutes": "-5"}, "promise_minutes"),
        ({"model": "magic"}, "model"),
        ({"region_code": "99999"}, "region_code"),
        ({"colour": "red"}, "colour"),
    ):
        with pytest.raises(InvalidInput) as exc:
            plans.request_plan(planner, BASE | raw)
        assert exc.value.field == field
    with pytest.raises(InvalidInput) as exc:
        plans.request_plan(planner, BASE, request_id="x" * 65)
    assert exc.value.field == "request_id"
    assert not SitePlan.objects.exists()


def test_a_repeated_request_id_returns_the_first_plan_and_another_body_conflicts(
    world: SmallWorld, planner: User
) -> None:
    first, created = plans.request_plan(planner, BASE | {"p": 2}, request_id="plan-1")
    assert created
    again, created = plans.request_plan(planner, BASE | {"p": "2"}, request_id="plan-1")
    assert (again, created) == (first, False)
    with pytest.raises(Conflict) as exc:
        plans.request_plan(planner, BASE | {"p": 1}, request_id="plan-1")
    assert exc.value.field == "request_id"
    # Another planner's id is theirs.
    theirs, created = plans.request_plan(operator("other"), BASE | {"p": 1}, request_id="plan-1")
    assert created
    assert theirs != first
    assert SitePlan.objects.count() == 2


def queued_plan(user: User, **raw: Any) -> SitePlan:
    return SitePlan.objects.create(
        region=Region.objects.get(code="11440"),
        requested_by=user,
        parameters=plans.clean_parameters(BASE | raw).to_json(),
    )


def test_a_plan_runs_once(world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[int] = []
    real = plans.run_plan

    def counting(*args: Any, **kwargs: Any) -> dict[str, object]:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plans, "run_plan", counting)
    plan = queued_plan(planner)
    done = plans.execute_plan(plan.pk)
    assert done.status == SitePlan.Status.DONE
    again = plans.execute_plan(plan.pk)
    assert again.status == SitePlan.Status.DONE
    assert again.finished_at == done.finished_at
    assert len(runs) == 1
    with pytest.raises(NotFound):
        plans.execute_plan(plan.pk + 1000)


def test_a_plan_the_inputs_refuse_fails_with_the_planner_s_message(world: SmallWorld, planner: User) -> None:
    # No orders at all in the small world: an orders-only plan has no demand.
    plan = plans.execute_plan(queued_plan(planner, demand_source="orders").pk)
    assert plan.status == SitePlan.Status.FAILED
    assert plan.error
    assert "order" in plan.error.lower()
    assert plan.result is None
    assert plan.finished_at is not None
    # p above the number of candidate spaces.
    plan = plans.execute_plan(queued_plan(planner, p=10).pk)
    assert plan.status == SitePlan.Status.FAILED
    assert plan.error


def test_an_unexpected_error_fails_the_plan_and_never_leaves_it_running(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> dict[str, object]:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(plans, "run_plan", broken)
    plan = plans.execute_plan(queued_plan(planner).pk)
    assert plan.status == SitePlan.Status.FAILED
    assert "RuntimeError: solver exploded" in plan.error

    def interrupted(*args: Any, **kwargs: Any) -> dict[str, object]:
        raise KeyboardInterrupt

    monkeypatch.setattr(plans, "run_plan", interrupted)
    plan = queued_plan(planner)
    with pytest.raises(KeyboardInterrupt):
        plans.execute_plan(plan.pk)
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.FAILED
    assert "stopped" in plan.error


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0

    def monotonic(self) -> float:
        return self.t

    def __getattr__(self, name: str) -> Any:
        return getattr(real_time, name)


def test_progress_reaches_the_caller_every_time_and_the_row_at_most_every_half_second(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(plans, "time", clock)
    plan = queued_plan(planner)
    seen_in_row: list[str] = []
    heard: list[tuple[str, float | None]] = []

    def fake_run(params: Any, *, model: Any = None, progress: Callable[[str, float | None], None]) -> Any:
        for what, fraction, step in (
            ("reading demand", None, 0.0),
            ("travel times", 0.25, 0.1),  # 0.1 s later: not written
            ("solving", 0.5, 0.6),  # 0.7 s after the last write: written
        ):
            clock.t += step
            progress(what, fraction)
            seen_in_row.append(SitePlan.objects.get(pk=plan.pk).progress)
        raise InvalidInput("no luck", field="p")

    monkeypatch.setattr(plans, "run_plan", fake_run)
    done = plans.execute_plan(plan.pk, progress=lambda what, f: heard.append((what, f)))
    assert heard == [("reading demand", None), ("travel times", 0.25), ("solving", 0.5)]
    assert seen_in_row == ["reading demand", "reading demand", "solving (50%)"]
    assert done.status == SitePlan.Status.FAILED
    assert done.error == "no luck"


def test_listing_is_newest_first_and_limited(world: SmallWorld, planner: User) -> None:
    made = [plans.request_plan(planner, BASE | {"p": p})[0] for p in (1, 2, 3)]
    assert plans.list_plans(planner) == made[::-1]
    assert plans.list_plans(planner, limit=2) == made[:0:-1]
    assert plans.list_plans(planner, limit=0) == made[-1:]


def test_a_plan_whose_worker_died_is_marked_failed_by_the_sweep(world: SmallWorld, planner: User) -> None:
    now = timezone.now()
    stalled = queued_plan(planner, time_limit_seconds=60)
    recent = queued_plan(planner)
    SitePlan.objects.filter(pk=stalled.pk).update(
        status=SitePlan.Status.RUNNING, started_at=now - timedelta(minutes=17)
    )
    SitePlan.objects.filter(pk=recent.pk).update(
        status=SitePlan.Status.RUNNING, started_at=now - timedelta(minutes=5)
    )
    assert plans.fail_stalled_plans(now=now) == "1 stalled site plan(s) marked failed"
    stalled.refresh_from_db()
    recent.refresh_from_db()
    assert stalled.status == SitePlan.Status.FAILED
    assert "worker stopped" in stalled.error
    assert recent.status == SitePlan.Status.RUNNING
    assert plans.fail_stalled_plans(now=now) == ""


# --- the worker runs queued jobs from the database ---------------------------------------------


@pytest.fixture
def database_tasks() -> Iterator[None]:
    with override_settings(TASKS=DATABASE_TASKS):
        yield


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_plan_queued_in_the_database(mapo: Region, database_tasks: None) -> None:
    small_world()
    planner = operator()
    assert database_backend_alias() == "default"
    plan, _ = plans.request_plan(planner, BASE | {"p": 1})  # autocommit: queued at once
    assert DBTaskResult.objects.count() == 1
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.QUEUED
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "and 1 queued jobs" in out.getvalue()
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.DONE, plan.error
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert run_ready_jobs() == 0


@pytest.mark.django_db(transaction=True)
def test_the_worker_thread_runs_queued_plans_until_stopped(mapo: Region, database_tasks: None) -> None:
    small_world()
    planner = operator()
    worker = QueuedJobsThread("default", interval=0.05)
    worker.start()
    try:
        plan, _ = plans.request_plan(planner, BASE | {"p": 1})
        deadline = real_time.monotonic() + 60
        while real_time.monotonic() < deadline:
            plan.refresh_from_db()
            if plan.status in (SitePlan.Status.DONE, SitePlan.Status.FAILED):
                break
            real_time.sleep(0.05)
    finally:
        assert worker.stop(wait_s=60)
    assert plan.status == SitePlan.Status.DONE, plan.error


def test_the_immediate_backend_of_the_tests_is_not_run_by_the_worker(db: None) -> None:
    assert database_backend_alias() is None
    assert run_ready_jobs() == 0
