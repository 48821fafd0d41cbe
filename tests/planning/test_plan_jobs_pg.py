"""PostgreSQL with real threads: a plan handed to two workers at once runs once, two admins
opening the same space at once make one hub, and a plan's heartbeat and its finish outlive a
database connection the server dropped (a restart, a failover, an idle timeout)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from hyperlocal.errors import Conflict
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services import opening, plans
from hyperlocal.planning.services.parameters import clean_parameters
from hyperlocal.regions.models import Region
from tests.planning.plan_helpers import BASE, done_plan, operator, platform_admin, site_json, small_world

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
THREADS = 2


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Skipped, visibly, on SQLite (whose writers queue on one lock anyway)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


def run_together(work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    results: list[object] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        try:
            start.wait()
            results.append(work(n))
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_two_workers_given_the_same_plan_run_it_once(mapo: Region, monkeypatch: pytest.MonkeyPatch) -> None:
    small_world()
    plan = SitePlan.objects.create(
        region=Region.objects.get(code="11440"),
        requested_by=operator(),
        parameters=clean_parameters(BASE | {"p": 1}).to_json(),
    )
    runs: list[int] = []
    real = plans.run_plan

    def counting(*args: Any, **kwargs: Any) -> dict[str, object]:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plans, "run_plan", counting)
    results, errors = run_together(lambda n: plans.execute_plan(plan.pk).status)
    assert errors == []
    assert len(runs) == 1
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.DONE, plan.error
    # The worker that lost the claim found the plan running or done, and left it alone.
    assert set(results) <= {SitePlan.Status.RUNNING, SitePlan.Status.DONE}


def test_two_admins_opening_the_same_space_make_one_hub(mapo: Region) -> None:
    world = small_world()
    space = world.spaces[0]
    plan = done_plan([site_json(space)], [])
    admins = [platform_admin("root-a"), platform_admin("root-b")]

    def open_it(n: int) -> object:
        # Different slugs: the space, not the slug, is what the two clash on.
        return opening.open_site(admins[n], plan, space.pk, slug=f"corner-{n}", promise_minutes=12)

    results, errors = run_together(open_it)
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], Conflict)
    assert errors[0].code == "already_a_hub"
    hub = Hub.objects.get()
    assert hub.vacant_space == space
    assert hub.zones.exists()
    assert hub.service_cells.exists()


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30  # a bound on the wait, not an assertion on time
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def terminate(pids: str, *args: object) -> int:
    """Terminate backends of the test database from a session of its own; how many."""
    killed: list[int] = []

    def kill() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    f"WHERE datname = current_database() AND pid <> pg_backend_pid() AND {pids}",
                    args,
                )
                killed.extend(1 for (done,) in cursor.fetchall() if done)
        finally:
            connection.close()

    thread = threading.Thread(target=kill)
    thread.start()
    thread.join()
    return len(killed)


def persistent(monkeypatch: pytest.MonkeyPatch, max_age: int | None) -> None:
    """Connections opened from now on live max_age seconds (None: for ever, 0: one use)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", max_age)
    connection.close()


def running_plan() -> SitePlan:
    small_world()
    now = timezone.now()
    return SitePlan.objects.create(
        region=Region.objects.get(code="11440"),
        requested_by=operator(),
        parameters=clean_parameters(BASE | {"p": 1}).to_json(),
        status=SitePlan.Status.RUNNING,
        run_token="t",
        started_at=now,
        heartbeat_at=now,
    )


@pytest.mark.parametrize("max_age", [0, None])
def test_the_heartbeat_beats_on_after_the_database_drops_its_connection(
    mapo: Region, monkeypatch: pytest.MonkeyPatch, max_age: int | None
) -> None:
    persistent(monkeypatch, max_age)
    plan = running_plan()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (mine,) = cursor.fetchone()
    beat = plans._Heartbeat(plan.pk, "t", 0.05)
    with beat:
        wait_for(lambda: beat.beats >= 2, "the heartbeat never beat")
        # Every backend of the test database but this thread's: the heartbeat's.
        assert terminate("pid <> %s", mine) >= 1
        dropped_at = timezone.now()
        after = beat.beats
        wait_for(lambda: beat.beats >= after + 3, "no beat landed after the connection was dropped")
    plan.refresh_from_db()
    assert plan.heartbeat_at is not None
    assert plan.heartbeat_at > dropped_at
    assert plan.status == SitePlan.Status.RUNNING


@pytest.mark.parametrize("max_age", [0, None])
def test_a_plan_whose_connection_was_dropped_while_it_solved_stores_its_result(
    mapo: Region, monkeypatch: pytest.MonkeyPatch, max_age: int | None
) -> None:
    persistent(monkeypatch, max_age)
    plan = running_plan()
    SitePlan.objects.filter(pk=plan.pk).update(status=SitePlan.Status.QUEUED, run_token="")
    real = plans.run_plan

    def dropped_while_solving(*args: Any, **kwargs: Any) -> dict[str, object]:
        result = real(*args, **kwargs)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (mine,) = cursor.fetchone()
        assert terminate("pid = %s", mine) == 1  # the worker's own connection, idle meanwhile
        return result

    monkeypatch.setattr(plans, "run_plan", dropped_while_solving)
    done = plans.execute_plan(plan.pk)
    assert done.status == SitePlan.Status.DONE, done.error
    assert done.result is not None
