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
from hyperlocal.hubs.models import Hub
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


def running(plan: SitePlan, *, started: timedelta, beat: timedelta | None, token: str = "t") -> None:
    now = timezone.now()
    SitePlan.objects.filter(pk=plan.pk).update(
        status=SitePlan.Status.RUNNING,
        started_at=now - started,
        heartbeat_at=None if beat is None else now - beat,
        run_token=token,
    )


def test_the_sweep_fails_running_plans_whose_heartbeat_stopped_not_long_ones_still_beating(
    world: SmallWorld, planner: User
) -> None:
    now = timezone.now()
    dead = queued_plan(planner, time_limit_seconds=60)
    long_but_alive = queued_plan(planner, time_limit_seconds=60)  # past its limit, within 2 x + 10 min
    never_beat = queued_plan(planner)
    running(dead, started=timedelta(minutes=5), beat=timedelta(minutes=3))
    running(long_but_alive, started=timedelta(minutes=11, seconds=50), beat=timedelta(seconds=20))
    running(never_beat, started=timedelta(minutes=3), beat=None)
    assert plans.fail_stalled_plans(now=now) == "2 stalled site plan(s) marked failed"
    for plan, status in (
        (dead, SitePlan.Status.FAILED),
        (long_but_alive, SitePlan.Status.RUNNING),
        (never_beat, SitePlan.Status.FAILED),
    ):
        plan.refresh_from_db()
        assert plan.status == status
    assert dead.error == plans.STOPPED_ERROR
    assert plans.fail_stalled_plans(now=now) == ""


def test_the_sweep_fails_a_plan_still_beating_past_twice_its_time_limit_and_ten_minutes(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A hung solver: its heartbeat thread keeps beating, so only the deadline catches it.
    now = timezone.now()
    hung = queued_plan(planner, time_limit_seconds=60)
    within = queued_plan(planner, time_limit_seconds=300)
    running(hung, started=timedelta(hours=3), beat=timedelta(seconds=20), token="hung")
    running(within, started=timedelta(minutes=19), beat=timedelta(seconds=5))  # deadline 20 min
    assert plans.fail_stalled_plans(now=now) == "1 site plan(s) past their time limit marked failed"
    hung.refresh_from_db()
    within.refresh_from_db()
    assert (hung.status, hung.error, hung.progress) == (
        SitePlan.Status.FAILED,
        "the plan ran past its time limit; run it again",
        "failed",
    )
    assert hung.finished_at == now
    assert within.status == SitePlan.Status.RUNNING
    assert plans.fail_stalled_plans(now=now) == ""
    # Should the hung run finish after all, its result (same run token) replaces the error.
    result = {"status": "optimal"}
    assert plans._finish(
        hung.pk, "hung", status=SitePlan.Status.DONE, result=result, error="", progress="done"
    )
    hung.refresh_from_db()
    assert (hung.status, hung.error) == (SitePlan.Status.DONE, "")


def test_progress_writes_beat_the_heart(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = queued_plan(planner)
    beats: list[Any] = []

    def fake_run(params: Any, *, model: Any = None, progress: Callable[[str, float | None], None]) -> Any:
        SitePlan.objects.filter(pk=plan.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        progress("reading demand", None)
        beats.append(SitePlan.objects.get(pk=plan.pk).heartbeat_at)
        raise InvalidInput("stop here")

    monkeypatch.setattr(plans, "run_plan", fake_run)
    plans.execute_plan(plan.pk)
    assert beats[0] > timezone.now() - timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_a_heartbeat_thread_beats_while_the_solver_thinks(
    mapo: Region, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    small_world()
    planner = operator()
    settings.PLAN_HEARTBEAT_S = 0.01
    plan = queued_plan(planner)
    seen: list[Any] = []

    def thinking(params: Any, *, model: Any = None, progress: Any) -> Any:
        # No progress call while "solving": only the heartbeat thread can move heartbeat_at.
        first = SitePlan.objects.get(pk=plan.pk).heartbeat_at
        deadline = real_time.monotonic() + 60  # a bound on the wait, not an assertion on time
        while real_time.monotonic() < deadline:
            now = SitePlan.objects.get(pk=plan.pk).heartbeat_at
            if now != first:
                seen.append(now)
                break
            real_time.sleep(0.01)
        raise InvalidInput("enough")

    monkeypatch.setattr(plans, "run_plan", thinking)
    done = plans.execute_plan(plan.pk)
    assert seen, "the heartbeat never moved while the solver thought"
    assert done.status == SitePlan.Status.FAILED


def test_a_run_swept_by_mistake_that_finishes_stores_its_result(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = plans.run_plan
    plan = queued_plan(planner, p=1)

    def swept_meanwhile(*args: Any, **kwargs: Any) -> dict[str, object]:
        # The sweep (its clock far ahead) takes the plan for dead while it runs.
        assert plans.fail_stalled_plans(now=timezone.now() + timedelta(hours=1))
        assert SitePlan.objects.get(pk=plan.pk).status == SitePlan.Status.FAILED
        return real(*args, **kwargs)

    monkeypatch.setattr(plans, "run_plan", swept_meanwhile)
    done = plans.execute_plan(plan.pk)
    assert done.status == SitePlan.Status.DONE
    assert done.error == ""
    assert done.result is not None
    assert done.summary is not None
    assert done.summary["new_sites"] == 1


def test_a_late_finish_of_another_run_changes_nothing(world: SmallWorld, planner: User) -> None:
    plan = queued_plan(planner)
    running(plan, started=timedelta(minutes=5), beat=timedelta(minutes=5), token="old-run")
    plans.fail_stalled_plans()
    assert not plans._finish(plan.pk, "another-run", status=SitePlan.Status.DONE, result={})
    plan.refresh_from_db()
    assert (plan.status, plan.result) == (SitePlan.Status.FAILED, None)


def test_a_stopping_worker_fails_the_plans_it_still_runs_and_a_late_finish_wins(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = plans.run_plan
    plan = queued_plan(planner, p=1)
    other = queued_plan(planner)
    running(other, started=timedelta(seconds=5), beat=timedelta(seconds=5), token="elsewhere")
    said: list[str] = []

    def stopped_meanwhile(*args: Any, **kwargs: Any) -> dict[str, object]:
        said.append(plans.abandon_running_plans())
        stopped = SitePlan.objects.get(pk=plan.pk)
        assert (stopped.status, stopped.error) == (SitePlan.Status.FAILED, plans.STOPPED_ERROR)
        return real(*args, **kwargs)

    monkeypatch.setattr(plans, "run_plan", stopped_meanwhile)
    assert plans.execute_plan(plan.pk).status == SitePlan.Status.DONE
    assert said == ["1 running site plan(s) marked failed"]
    other.refresh_from_db()
    assert other.status == SitePlan.Status.RUNNING  # another process's plan is not this one's
    assert plans.abandon_running_plans() == ""


def test_a_worker_stopped_by_a_signal_is_caught_by_the_heartbeat_sweep(
    world: SmallWorld, planner: User
) -> None:
    # The process was killed: nothing marked the plan; its heartbeat just stopped.
    plan = queued_plan(planner)
    running(plan, started=timedelta(minutes=10), beat=timedelta(minutes=2, seconds=1))
    assert plans.fail_stalled_plans()
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.FAILED
    assert "worker stopped" in plan.error


# --- queued plans that never reach a worker ----------------------------------------------------


def test_a_queued_plan_the_backend_refused_is_handed_over_again_by_the_sweep(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("backend down")

    with monkeypatch.context() as patched:
        patched.setattr(plans, "enqueue_plan", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            plan, _ = plans.request_plan(planner, BASE | {"p": 1})
    plan.refresh_from_db()
    assert (plan.status, plan.task_id) == (SitePlan.Status.QUEUED, "")  # robust: the request stood
    later = plan.created_at + timedelta(minutes=1)
    assert plans.queue_wait(plan, now=later) == ("not_handed_over", 1)
    assert "not yet handed to a worker" in plans.queue_note(plan, now=later)
    assert plans.fail_stalled_plans(now=plan.created_at + timedelta(seconds=30)) == ""  # not yet
    said = plans.fail_stalled_plans(now=plan.created_at + timedelta(minutes=5))
    assert said == "1 queued site plan(s) handed to the worker again"
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.DONE  # the tests' backend runs it at once
    assert plan.task_id


def test_a_queued_plan_that_cannot_be_handed_over_fails_with_the_reason(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = queued_plan(planner)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("backend down")

    monkeypatch.setattr(plans, "enqueue_plan", refuse)
    said = plans.fail_stalled_plans(now=plan.created_at + timedelta(minutes=5))
    assert said == "1 queued site plan(s) failed"
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.FAILED
    assert "backend down" in plan.error


def test_a_plan_waiting_long_for_a_worker_says_so(world: SmallWorld, planner: User) -> None:
    plan = queued_plan(planner)
    SitePlan.objects.filter(pk=plan.pk).update(task_id="some-job")
    plan.refresh_from_db()
    assert plans.queue_wait(plan, now=plan.created_at + timedelta(seconds=40)) == ("", 0)
    assert plans.queue_wait(plan, now=plan.created_at + timedelta(minutes=7)) == ("waiting", 7)
    # The tests' backend cannot say whether the job lives: the plan is left to it.
    assert plans.fail_stalled_plans(now=plan.created_at + timedelta(minutes=7)) == ""


# --- cancel ------------------------------------------------------------------------------------


def test_a_queued_plan_is_cancelled_at_once_by_its_planner_or_an_admin(
    world: SmallWorld, planner: User
) -> None:
    plan = queued_plan(planner)
    with pytest.raises(NotAllowed):
        plans.cancel_plan(operator("colleague"), plan.pk)  # same district, not theirs
    cancelled = plans.cancel_plan(planner, plan.pk)
    assert cancelled.status == SitePlan.Status.FAILED
    assert cancelled.error == "cancelled by operator"
    assert cancelled.cancel_requested_by == planner
    assert plans.execute_plan(plan.pk).status == SitePlan.Status.FAILED  # the job then runs nothing
    with pytest.raises(Conflict):
        plans.cancel_plan(planner, plan.pk)
    other = queued_plan(planner)
    assert plans.cancel_plan(platform_admin(), other.pk).error == "cancelled by root"


def test_a_running_plan_stops_at_its_next_step_when_cancelled(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = queued_plan(planner)
    steps: list[str] = []

    def fake_run(params: Any, *, model: Any = None, progress: Callable[[str, float | None], None]) -> Any:
        progress("reading demand", None)
        steps.append("demand")
        asked = plans.cancel_plan(planner, plan.pk)
        assert asked.status == SitePlan.Status.RUNNING
        assert asked.cancel_requested_at is not None
        progress("solving", 0.5)
        steps.append("solved")  # never reached
        return {}

    monkeypatch.setattr(plans, "run_plan", fake_run)
    done = plans.execute_plan(plan.pk)
    assert steps == ["demand"]
    assert (done.status, done.error, done.progress) == (
        SitePlan.Status.FAILED,
        "cancelled by operator",
        "cancelled",
    )


def test_a_plan_cancelled_during_its_last_solve_keeps_no_result(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = plans.run_plan
    plan = queued_plan(planner, p=1)

    def cancelled_while_solving(*args: Any, **kwargs: Any) -> dict[str, object]:
        result = real(*args, **kwargs)
        plans.cancel_plan(planner, plan.pk)
        return result

    monkeypatch.setattr(plans, "run_plan", cancelled_while_solving)
    done = plans.execute_plan(plan.pk)
    assert (done.status, done.result) == (SitePlan.Status.FAILED, None)
    assert done.error == "cancelled by operator"
    with pytest.raises(Conflict):
        plans.cancel_plan(planner, plan.pk)


def test_a_cancel_landing_as_the_result_is_stored_fails_the_plan(
    world: SmallWorld, planner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = queued_plan(planner, p=1)
    real = plans._late_or_running
    landed: list[bool] = []

    def cancel_lands_now(plan_id: int, token: str) -> Any:
        # After the run's last look for a cancel and before its result is written.
        if not landed:
            landed.append(True)
            assert plans.cancel_plan(planner, plan.pk).status == SitePlan.Status.RUNNING
        return real(plan_id, token)

    monkeypatch.setattr(plans, "_late_or_running", cancel_lands_now)
    done = plans.execute_plan(plan.pk)
    assert landed
    assert (done.status, done.error, done.progress, done.result) == (
        SitePlan.Status.FAILED,
        "cancelled by operator",
        "cancelled",
        None,
    )


# --- what a request is checked for before it is queued -----------------------------------------


def test_hub_operators_time_limit_is_capped_admins_go_further(world: SmallWorld, planner: User) -> None:
    with pytest.raises(InvalidInput) as exc:
        plans.request_plan(planner, BASE | {"time_limit_seconds": 301})
    assert exc.value.field == "time_limit_seconds"
    assert "300" in exc.value.message
    assert not SitePlan.objects.exists()
    assert plans.request_plan(planner, BASE | {"time_limit_seconds": 300})[1]
    assert plans.request_plan(platform_admin(), BASE | {"time_limit_seconds": 3600})[1]


def test_p_above_the_candidate_spaces_is_refused_before_queueing(world: SmallWorld, planner: User) -> None:
    with pytest.raises(InvalidInput) as exc:
        plans.request_plan(planner, BASE | {"p": 4})
    assert exc.value.field == "p"
    assert "3 vacant space" in exc.value.message
    with pytest.raises(InvalidInput) as exc:  # filters leave fewer: only one space holds stay rooms
        plans.request_plan(planner, BASE | {"p": 2, "zone_kind": "stay"})
    assert exc.value.field == "p"
    assert not SitePlan.objects.exists()
    assert plans.request_plan(planner, BASE | {"p": 3})[1]
    assert plans.request_plan(planner, BASE | {"model": "set_cover", "p": 10})[1]  # p means nothing there


# --- districts ---------------------------------------------------------------------------------


@pytest.fixture
def seodaemun(mapo: Region) -> Region:
    return Region.objects.create(
        code="11410", name_ko="서대문구", name_en="Seodaemun-gu", level=Region.Level.DISTRICT
    )


def test_operators_see_and_plan_only_the_districts_where_they_run_a_hub(
    world: SmallWorld, seodaemun: Region
) -> None:
    mapo_op = operator("mapo-op")
    seodaemun_op = operator("seodaemun-op", district="11410")
    admin = platform_admin()
    plan, _ = plans.request_plan(mapo_op, BASE)
    elsewhere = SitePlan.objects.create(
        region=seodaemun, requested_by=seodaemun_op, parameters={"region_code": "11410", "model": "mclp"}
    )
    assert plans.list_plans(mapo_op) == [plan]
    assert plans.list_plans(seodaemun_op) == [elsewhere]
    assert plans.list_plans(admin) == [elsewhere, plan]
    assert plans.get_plan(mapo_op, plan.pk) == plan
    with pytest.raises(NotFound):
        plans.get_plan(seodaemun_op, plan.pk)
    with pytest.raises(NotFound):
        plans.cancel_plan(seodaemun_op, plan.pk)
    with pytest.raises(NotAllowed) as exc:
        plans.request_plan(seodaemun_op, BASE)
    assert exc.value.field == "region_code"
    assert plans.planning_districts(mapo_op) == [Region.objects.get(code="11440")]
    assert plans.planning_districts(admin) is None
    # A plan of a dong is its district's.
    dong_plan, _ = plans.request_plan(mapo_op, BASE | {"region_code": "1144066000"})
    with pytest.raises(NotFound):
        plans.get_plan(seodaemun_op, dong_plan.pk)
    assert plans.get_plan(mapo_op, dong_plan.pk) == dong_plan


def test_a_plan_without_a_region_is_for_the_planner_s_own_district_when_they_have_one(
    world: SmallWorld, seodaemun: Region
) -> None:
    # Seodaemun (11410) comes first by code; the Mapo operator plans only Mapo.
    without_region = {k: v for k, v in BASE.items() if k != "region_code"}
    mapo_op = operator("mapo-op")
    plan, _ = plans.request_plan(mapo_op, without_region | {"p": 1})
    assert plan.region.code == "11440"
    plan, _ = plans.request_plan(mapo_op, without_region | {"p": 1, "region_code": ""})
    assert plan.region.code == "11440"
    seodaemun_op = operator("seodaemun-op", district="11410")
    plan, _ = plans.request_plan(seodaemun_op, without_region | {"model": "set_cover"})
    assert plan.region.code == "11410"
    # Admins, and operators of several districts, get the first district as before.
    both = operator("both-op")
    operator("both-op-2", district="11410")
    Hub.objects.get(slug="hub-of-both-op-2").operators.add(both)
    assert [d.code for d in plans.planning_districts(both) or []] == ["11410", "11440"]
    for user in (platform_admin(), both):
        plan, _ = plans.request_plan(user, without_region | {"model": "set_cover"})
        assert plan.region.code == "11410"


# --- the row -----------------------------------------------------------------------------------


def test_lists_leave_out_the_result_and_show_the_summary(world: SmallWorld, planner: User) -> None:
    plan = plans.execute_plan(queued_plan(planner, p=1).pk)
    assert plan.status == SitePlan.Status.DONE, plan.error
    assert plan.summary == plans.summary_of(plan.result or {})
    assert plan.summary["new_sites"] == 1
    assert 0 < plan.summary["coverage_share"] <= 1
    listed = plans.list_plans(planner)
    assert listed == [plan]
    assert listed[0].get_deferred_fields() == {"result"}


def test_the_database_refuses_an_unknown_status(world: SmallWorld, planner: User) -> None:
    from django.db import IntegrityError, transaction

    plan = queued_plan(planner)
    with pytest.raises(IntegrityError), transaction.atomic():
        SitePlan.objects.filter(pk=plan.pk).update(status="paused")


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


@pytest.mark.django_db(transaction=True)
def test_a_queued_plan_whose_worker_died_after_taking_its_job_fails_with_the_reason(
    mapo: Region, database_tasks: None
) -> None:
    small_world()
    plan, _ = plans.request_plan(operator(), BASE | {"p": 1})
    job = DBTaskResult.objects.get()
    plan.refresh_from_db()
    assert plan.task_id == str(job.pk)
    # A worker took the job (django-tasks marked it running) and died before claiming the plan.
    taken = plan.created_at + timedelta(minutes=3)
    DBTaskResult.objects.filter(pk=job.pk).update(status="RUNNING", started_at=taken)
    # Taken a minute ago: the worker may still be about to claim the plan.
    assert plans.fail_stalled_plans(now=taken + timedelta(minutes=1)) == ""
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.QUEUED
    # Still queued with its job running past queued_stale_after(): the job is lost.
    assert plans.fail_stalled_plans(now=taken + timedelta(minutes=3)) == "1 queued site plan(s) failed"
    plan.refresh_from_db()
    assert (plan.status, plan.progress) == (SitePlan.Status.FAILED, "failed")
    assert plan.error == "the plan's worker took its job and stopped before running it; run it again"
    # A job that ended without running the plan still says so.
    other, _ = plans.request_plan(operator("other-op"), BASE | {"p": 1})
    other.refresh_from_db()
    DBTaskResult.objects.filter(pk=other.task_id).update(status="SUCCESSFUL", finished_at=timezone.now())
    assert (
        plans.fail_stalled_plans(now=other.created_at + timedelta(minutes=5))
        == "1 queued site plan(s) failed"
    )
    other.refresh_from_db()
    assert other.error == plans.JOB_LOST_ERROR
