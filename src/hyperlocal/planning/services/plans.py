"""Site plans as jobs: a planner asks for one (it is queued), a worker runs it once, anyone who
plans in the plan's district reads it back.

A plan is requested by a hub operator or a platform admin for a district they may plan for
(``zoning.can_plan``); its parameters are checked before anything is written (422 naming the
field: also p above the number of candidate spaces, and a hub operator's time limit above
``PLAN_OPERATOR_MAX_SECONDS``), and a client's retry with the same request id finds the first
plan instead of queueing another. The job (planning/tasks.py) is queued when the request's
transaction commits; the worker claims the plan with a conditional UPDATE (queued -> running)
that records a run token, so that a plan runs once even if two workers are handed it, and
always leaves it done (with its result) or failed (with a clear error), never running.

While a plan runs, its row's ``heartbeat_at`` is touched by every progress write and by a
small thread every ``PLAN_HEARTBEAT_S`` seconds (the solver may think for minutes between two
progress calls); the thread drops a dead database connection (a restart, a failover) and
opens a fresh one at its next beat. ``fail_stalled_plans`` (periodic) fails running plans whose
heartbeat is older than ``PLAN_STALLED_AFTER_S`` - their worker is gone - and running plans past
started_at + 2 x their time limit + 10 min (a hung solver that still beats), hands queued plans
that never reached the job backend to it again, and fails queued plans whose job was lost (it
ended, or a worker took it and died before running the plan). Should the swept run finish after
all, its result (same run token) replaces the sweep's error. A planner may cancel their plan
(platform admins any): a queued plan fails at once, a running one at its next progress call or
when its solve ends (a cancel that lands as the result is stored still wins).
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from hyperlocal.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hyperlocal.geo import TravelTimeModel
from hyperlocal.hubs.services.permissions import AnyUser, is_platform_admin
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services.candidates import candidate_sites
from hyperlocal.planning.services.parameters import PlanParameters, clean_parameters, region_for
from hyperlocal.planning.services.runner import run_plan
from hyperlocal.planning.services.zoning import can_plan, districts_planned_by, zone_rule_for
from hyperlocal.regions.models import Region

log = logging.getLogger(__name__)

__all__ = [
    "STOPPED_ERROR",
    "PlanCancelled",
    "abandon_running_plans",
    "can_plan",
    "cancel_plan",
    "check_district",
    "enqueue_plan",
    "execute_plan",
    "fail_stalled_plans",
    "get_plan",
    "list_plans",
    "max_time_limit",
    "planning_districts",
    "queue_note",
    "queue_wait",
    "record_plan",
    "request_plan",
    "summary_of",
]

# (what is happening, fraction done 0..1 or None): the runner's progress callback.
Progress = Callable[[str, float | None], None]

MAX_REQUEST_ID = 64  # SitePlan.request_id
MAX_LIST = 100
# Progress text is written to the plan's row at most this often (seconds).
PROGRESS_EVERY_S = 0.5
# The error of a plan whose worker went away (the sweep, a stopping worker). A late finish of
# the same run (its run token) replaces it with the result.
STOPPED_ERROR = "the worker stopped before the plan finished; run it again"
NOT_HANDED_OVER_ERROR = "the plan could not be handed to a worker ({reason}); run it again"
JOB_LOST_ERROR = "the plan's job ended without running it; run it again"
JOB_STUCK_ERROR = "the plan's worker took its job and stopped before running it; run it again"
OVERRAN_ERROR = "the plan ran past its time limit; run it again"
# A running plan is failed once it runs this long past twice its solver time limit.
OVERRUN_GRACE = timedelta(minutes=10)


def _seconds(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def heartbeat_every() -> float:
    """Seconds between two heartbeats of a running plan."""
    return _seconds("PLAN_HEARTBEAT_S", 10.0)


def stalled_after() -> timedelta:
    """A running plan whose heartbeat is older than this has lost its worker."""
    return timedelta(seconds=_seconds("PLAN_STALLED_AFTER_S", 120.0))


def queued_stale_after() -> timedelta:
    """A queued plan this old is checked: was it handed to the job backend, is its job alive?"""
    return timedelta(seconds=_seconds("PLAN_QUEUED_STALE_S", 120.0))


def _fresh_connection() -> None:
    """Drop this thread's database connection if it is dead or past its age (a database
    restart, a failover, an idle timeout while the solver thought), so that the next query
    opens a new one. Never inside a transaction: that connection is the caller's."""
    if connection.in_atomic_block:
        return
    connection.close_if_unusable_or_obsolete()
    if connection.connection is not None and not connection.is_usable():
        connection.close()


def max_time_limit(user: AnyUser) -> float:
    """The longest solver time limit this planner may ask for: hub operators share one worker."""
    if is_platform_admin(user):
        return _seconds("PLAN_ADMIN_MAX_SECONDS", 3600.0)
    return _seconds("PLAN_OPERATOR_MAX_SECONDS", 300.0)


# --- who sees what -----------------------------------------------------------------------------


def _check_can_plan(user: AnyUser) -> None:
    if not can_plan(user):
        raise NotAllowed("only hub operators and platform admins plan sites")


def planning_districts(user: AnyUser) -> list[Region] | None:
    """The districts this user plans for; None for all (platform admins)."""
    return districts_planned_by(user)


def _visible(user: AnyUser) -> QuerySet[SitePlan]:
    plans = SitePlan.objects.all()
    districts = planning_districts(user)
    if districts is None:
        return plans
    return plans.filter(Q(region__in=districts) | Q(region__parent__in=districts))


def check_district(user: AnyUser, region: Region) -> None:
    """NotAllowed unless the user plans for the region's district."""
    if not can_plan(user, region):
        raise NotAllowed(
            f"you do not plan for {region.district}: hub operators plan where they run a hub",
            field="region_code",
        )


def _clean_request_id(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput("request_id must be text", field="request_id")
    if len(value) > MAX_REQUEST_ID:
        raise InvalidInput(f"request_id is longer than {MAX_REQUEST_ID} characters", field="request_id")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput("request_id must not contain control characters", field="request_id")
    return value


def _region(params: PlanParameters) -> Region:
    return region_for(params.region_code)


def _same_request(plan: SitePlan, params: PlanParameters) -> SitePlan:
    if plan.parameters != params.to_json():
        raise Conflict(
            f"request id {plan.request_id!r} was used for another plan (plan {plan.pk}) with other "
            "parameters; send a new request id",
            field="request_id",
            code="request_id_reused",
        )
    return plan


def _check_request(user: AnyUser, params: PlanParameters, region: Region) -> None:
    """What the parameters alone cannot say: the planner's district, their time limit, and p
    against the spaces that can become hubs (so that the plan does not fail in the queue)."""
    check_district(user, region)
    most = max_time_limit(user)
    if params.time_limit_seconds > most:
        raise InvalidInput(
            f"time_limit_seconds may be at most {most:g} for you (hub operators share one worker), "
            f"not {params.time_limit_seconds:g}",
            field="time_limit_seconds",
        )
    if params.uses_p:
        candidates = candidate_sites(region, params, zone_rule_for(region))
        new = sum(1 for c in candidates if not c.existing)
        if params.p > new:
            raise InvalidInput(
                f"p={params.p} is more than the {new} vacant space(s) that can become hubs in "
                f"{region} with these filters: ask for at most {new}",
                field="p",
            )


def _with_own_district(user: AnyUser, raw: Mapping[str, object]) -> Mapping[str, object]:
    """A planner who plans for exactly one district (a hub operator) plans it by default; the
    others (platform admins, operators of several districts) get the first district."""
    code = raw.get("region_code")
    if code is not None and not (isinstance(code, str) and not code.strip()):
        return raw
    districts = planning_districts(user)
    if districts is not None and len(districts) == 1:
        return {**raw, "region_code": districts[0].code}
    return raw


def request_plan(user: AnyUser, raw: Mapping[str, object], *, request_id: str = "") -> tuple[SitePlan, bool]:
    """Queue a plan; (plan, created). The same user's same request id returns the first plan
    (created False); the same id with other parameters is a Conflict. The job is queued when
    the caller's transaction commits (at once outside one)."""
    _check_can_plan(user)
    request_id = _clean_request_id(request_id)
    params = clean_parameters(_with_own_district(user, raw))
    region = _region(params)
    parameters = params.to_json()
    if request_id:
        first = SitePlan.objects.filter(requested_by=user.pk, request_id=request_id).first()
        if first is not None:
            return _same_request(first, params), False
    _check_request(user, params, region)
    plan = SitePlan(region=region, requested_by_id=user.pk, request_id=request_id, parameters=parameters)
    try:
        with transaction.atomic():  # a savepoint: a racing retry of the same request fails cleanly
            plan.save()
    except IntegrityError:
        first = SitePlan.objects.filter(requested_by=user.pk, request_id=request_id).first()
        if first is None or not request_id:
            raise
        return _same_request(first, params), False
    plan_id = plan.pk
    # robust: a backend that refuses the job must not undo the committed request; the plan then
    # stays queued without a task id, and fail_stalled_plans hands it over again.
    transaction.on_commit(lambda: enqueue_plan(plan_id), robust=True)
    return plan, True


def record_plan(params: PlanParameters, *, user: AnyUser | None = None) -> SitePlan:
    """A queued plan that is not handed to the job backend: for `hyperlocal plan-sites --save`,
    which runs it in its own process with execute_plan (so it shows on the planner page)."""
    return SitePlan.objects.create(
        region=_region(params),
        requested_by_id=user.pk if user is not None and user.is_authenticated else None,
        parameters=params.to_json(),
    )


def enqueue_plan(plan_id: int) -> None:
    """Hand the plan to the job backend (the worker, or at once in tests) and note its job."""
    from hyperlocal.planning.tasks import run_site_plan  # the task module imports this one

    job = run_site_plan.enqueue(plan_id)
    SitePlan.objects.filter(pk=plan_id, task_id="").update(task_id=str(job.id)[:64])


# --- running a plan ----------------------------------------------------------------------------


class PlanCancelled(Exception):
    """Raised by the progress callback of a plan whose cancel was asked for."""

    def __init__(self, by: str) -> None:
        super().__init__(f"cancelled by {by}")
        self.by = by


def _cancelled_by(plan_id: int) -> str | None:
    """Who asked to cancel the plan (None: nobody)."""
    row = (
        SitePlan.objects.filter(pk=plan_id, cancel_requested_at__isnull=False)
        .values_list("cancel_requested_by__username", flat=True)
        .first()
    )
    if row is not None:
        return str(row)
    if SitePlan.objects.filter(pk=plan_id, cancel_requested_at__isnull=False).exists():
        return "a planner whose account is gone"
    return None


class _ProgressWriter:
    """Writes the runner's progress (and a heartbeat) to the plan's row, at most every
    PROGRESS_EVERY_S seconds (the last word always), passes it on to the caller's callback, and
    stops the run (PlanCancelled) when a cancel was asked for."""

    def __init__(self, plan_id: int, token: str, then: Progress | None) -> None:
        self.plan_id = plan_id
        self.token = token
        self.then = then
        self.written_at = float("-inf")

    def __call__(self, what: str, fraction: float | None) -> None:
        by = _cancelled_by(self.plan_id)
        if by is not None:
            raise PlanCancelled(by)
        if self.then is not None:
            self.then(what, fraction)
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY_S:
            return
        self.written_at = now
        text = what if fraction is None else f"{what} ({max(0.0, min(1.0, fraction)):.0%})"
        try:
            _running(self.plan_id, self.token).update(progress=text[:200], heartbeat_at=timezone.now())
        except DatabaseError:  # progress is a courtesy: a locked database must not fail the plan
            log.warning("could not write the progress of plan %s", self.plan_id, exc_info=True)


def _running(plan_id: int, token: str) -> QuerySet[SitePlan]:
    return SitePlan.objects.filter(pk=plan_id, run_token=token, status=SitePlan.Status.RUNNING)


class _Heartbeat:
    """Touches the running plan's heartbeat_at every few seconds from its own thread (with its
    own database connection, closed at the end), while the solver thinks."""

    def __init__(self, plan_id: int, token: str, every: float) -> None:
        self.plan_id = plan_id
        self.token = token
        self.every = every
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"plan-{plan_id}-heartbeat", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=max(5.0, self.every))

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    _fresh_connection()  # a connection the database dropped is replaced
                    _running(self.plan_id, self.token).update(heartbeat_at=timezone.now())
                    self.beats += 1
                except DatabaseError:
                    log.warning("could not touch the heartbeat of plan %s", self.plan_id, exc_info=True)
                    connection.close()  # the next beat opens a fresh one
        finally:
            connection.close()


# Plans this process runs now (id -> run token): a stopping worker fails them.
_RUNNING_HERE: dict[int, str] = {}
_RUNNING_LOCK = threading.Lock()


def _late_or_running(plan_id: int, token: str) -> QuerySet[SitePlan]:
    """The plan if this run still owns it: running, or failed by the sweep (or a stopping
    worker) while it ran after all."""
    return SitePlan.objects.filter(pk=plan_id, run_token=token).filter(
        Q(status=SitePlan.Status.RUNNING)
        | Q(status=SitePlan.Status.FAILED, error__in=(STOPPED_ERROR, OVERRAN_ERROR))
    )


def _finish(plan_id: int, token: str, *, uncancelled: bool = False, **values: object) -> bool:
    """Store the run's end if the run still owns the plan (and, uncancelled, nobody asked to
    cancel it: the check and the write are one UPDATE). The connection, idle while the solver
    thought, is replaced first if the database dropped it."""
    _fresh_connection()
    plan = _late_or_running(plan_id, token)
    if uncancelled:
        plan = plan.filter(cancel_requested_at__isnull=True)
    return plan.update(finished_at=timezone.now(), **values) == 1


def _fail(plan_id: int, token: str, error: str, *, progress: str = "failed") -> None:
    _finish(plan_id, token, status=SitePlan.Status.FAILED, error=error, progress=progress)


def summary_of(result: Mapping[str, object]) -> dict[str, object]:
    """What lists show of a done plan: its status, coverage share, new sites and their rent."""
    coverage = result.get("coverage")
    rent = result.get("rent")
    sites = result.get("sites")
    return {
        "status": result.get("status"),
        "coverage_share": coverage.get("share") if isinstance(coverage, dict) else None,
        "new_sites": (
            sum(1 for s in sites if isinstance(s, dict) and s.get("kind") == "new")
            if isinstance(sites, list)
            else 0
        ),
        "monthly_rent_won": rent.get("monthly_won") if isinstance(rent, dict) else None,
    }


def execute_plan(
    plan_id: int, *, progress: Progress | None = None, model: TravelTimeModel | None = None
) -> SitePlan:
    """Run a queued plan once: claim it (queued -> running, with a new run token), run the
    model with a heartbeat, store the result (done) or the error (failed). A plan that is not
    queued (another worker has it, it is finished or cancelled) is returned as it is, untouched.
    Run it outside a transaction, so that the progress written meanwhile is seen by others."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = SitePlan.objects.filter(pk=plan_id, status=SitePlan.Status.QUEUED).update(
        status=SitePlan.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        run_token=token,
        progress="starting",
        error="",
    )
    if not claimed:
        plan = SitePlan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(f"no site plan {plan_id}", field="plan_id")
        log.info("site plan %s is %s, not queued: not run again", plan_id, plan.status)
        return plan
    with _RUNNING_LOCK:
        _RUNNING_HERE[plan_id] = token
    try:
        params = clean_parameters(SitePlan.objects.values_list("parameters", flat=True).get(pk=plan_id))
        writer = _ProgressWriter(plan_id, token, progress)
        with _Heartbeat(plan_id, token, heartbeat_every()):
            result = run_plan(params, model=model, progress=writer)
        if not _finish(
            plan_id,
            token,
            uncancelled=True,  # a cancel asked while the solver ran (or now) keeps no result
            status=SitePlan.Status.DONE,
            result=result,
            summary=summary_of(result),
            error="",
            progress="done",
        ):
            by = _cancelled_by(plan_id)
            if by is not None:
                raise PlanCancelled(by)
            log.warning("site plan %s was no longer this run's when it finished", plan_id)
    except PlanCancelled as exc:
        _fail(plan_id, token, str(exc), progress="cancelled")
    except DomainError as exc:  # bad parameters or inputs: the planner's to fix
        _fail(plan_id, token, exc.message)
    except Exception as exc:
        log.exception("site plan %s failed", plan_id)
        _fail(
            plan_id, token, f"the plan failed unexpectedly ({type(exc).__name__}: {exc}); nothing was changed"
        )
    except BaseException:  # the worker is being stopped: say so rather than leave it running
        _fail(plan_id, token, STOPPED_ERROR)
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING_HERE.pop(plan_id, None)
    return SitePlan.objects.select_related("region", "requested_by").get(pk=plan_id)


def abandon_running_plans() -> str:
    """For a worker that stops while plans still run in it (its wait ran out): mark them failed
    now rather than after the sweep's delay. A run that still finishes replaces the error."""
    with _RUNNING_LOCK:
        running = dict(_RUNNING_HERE)
    failed = 0
    for plan_id, token in running.items():
        failed += _running(plan_id, token).update(
            status=SitePlan.Status.FAILED, error=STOPPED_ERROR, progress="failed", finished_at=timezone.now()
        )
    return f"{failed} running site plan(s) marked failed" if failed else ""


# --- cancelling --------------------------------------------------------------------------------


def cancel_plan(user: AnyUser, plan_id: int) -> SitePlan:
    """Cancel a queued or running plan: its requester or a platform admin. A queued plan fails
    at once; a running one when it next reports progress (the solver's own time limit bounds
    the wait). A finished plan is a Conflict."""
    plan = get_plan(user, plan_id)
    if plan.requested_by_id != user.pk and not is_platform_admin(user):
        raise NotAllowed("only the planner who asked for this plan, or a platform admin, cancels it")
    now = timezone.now()
    who = {"cancel_requested_at": now, "cancel_requested_by_id": user.pk}
    name = user.get_username()
    if SitePlan.objects.filter(pk=plan.pk, status=SitePlan.Status.QUEUED).update(
        status=SitePlan.Status.FAILED,
        error=f"cancelled by {name}",
        progress="cancelled",
        finished_at=now,
        **who,
    ):
        return get_plan(user, plan.pk)
    running = SitePlan.objects.filter(pk=plan.pk, status=SitePlan.Status.RUNNING)
    if running.filter(cancel_requested_at__isnull=True).update(**who) or running.exists():
        return get_plan(user, plan.pk)
    raise Conflict(
        f"plan {plan.pk} is {SitePlan.objects.values_list('status', flat=True).get(pk=plan.pk)}: "
        "there is nothing to cancel",
        code="plan_finished",
    )


# --- reading -----------------------------------------------------------------------------------


def get_plan(user: AnyUser, plan_id: int) -> SitePlan:
    """One plan of a district the user plans for (NotFound for others: not theirs to see)."""
    _check_can_plan(user)
    plan = _visible(user).select_related("region", "requested_by").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"no site plan {plan_id}", field="plan_id")
    return plan


def list_plans(user: AnyUser, *, limit: int = 20) -> list[SitePlan]:
    """The newest plans of the districts the user plans for (every planner's: plans are about
    the district, not private), without their result (``summary`` has the figures lists show)."""
    _check_can_plan(user)
    limit = max(1, min(MAX_LIST, limit))
    return list(
        _visible(user)
        .select_related("region", "requested_by")
        .defer("result")
        .order_by("-created_at", "-pk")[:limit]
    )


def queue_wait(plan: SitePlan, *, now: datetime | None = None) -> tuple[str, int]:
    """Why a queued plan may be waiting: ("not_handed_over", minutes) when the job backend has
    not got it yet (the sweep hands it over again), ("waiting", minutes) when it has waited
    longer than queued_stale_after() for a worker, ("", minutes) otherwise."""
    if plan.status != SitePlan.Status.QUEUED:
        return "", 0
    waited = (now or timezone.now()) - plan.created_at
    minutes = int(waited.total_seconds() // 60)
    if not plan.task_id and waited > timedelta(seconds=30):
        return "not_handed_over", minutes
    if waited > queued_stale_after():
        return "waiting", minutes
    return "", minutes


def queue_note(plan: SitePlan, *, now: datetime | None = None) -> str:
    """queue_wait in words ("" when there is nothing to say)."""
    kind, minutes = queue_wait(plan, now=now)
    if kind == "not_handed_over":
        return "not yet handed to a worker (the job backend refused it): it is retried within a few minutes"
    if kind == "waiting":
        return f"waiting {minutes} min for a worker: other plans run first, or no worker is running"
    return ""


# --- the sweep ---------------------------------------------------------------------------------


def _job_pending(task_id: str, moment: datetime) -> bool:
    """Whether the plan's job is still waiting or running (True when the backend cannot say).
    A job a worker took longer than queued_stale_after() ago while its plan is still queued is
    not: that worker died between taking the job and claiming the plan."""
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from hyperlocal.planning.tasks import run_site_plan

    if not run_site_plan.get_backend().supports_get_result:
        return True
    try:
        job = run_site_plan.get_result(task_id)
    except TaskResultDoesNotExist:
        return False
    if job.status == TaskResultStatus.RUNNING:
        taken = job.started_at or job.last_attempted_at or job.enqueued_at
        return taken is None or taken >= moment - queued_stale_after()
    return job.status == TaskResultStatus.READY


def _job_ended(task_id: str) -> bool:
    """Whether the (lost) job ended or is gone, rather than stuck with a worker that died."""
    from django_tasks import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    from hyperlocal.planning.tasks import run_site_plan

    try:
        return run_site_plan.get_result(task_id).status != TaskResultStatus.RUNNING
    except TaskResultDoesNotExist:
        return True


def _time_limit_of(parameters: object) -> float:
    """The plan's solver time limit (the longest an admin may ask for when it cannot be read)."""
    value = parameters.get("time_limit_seconds") if isinstance(parameters, dict) else None
    try:
        limit = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _seconds("PLAN_ADMIN_MAX_SECONDS", 3600.0)
    return limit if limit >= 0 else _seconds("PLAN_ADMIN_MAX_SECONDS", 3600.0)


def _sweep_overrun(moment: datetime) -> int:
    """Fail running plans past started_at + 2 x their time limit + OVERRUN_GRACE: their solver
    hangs (its heartbeat thread still beats, so the heartbeat sweep never catches them)."""
    failed = 0
    long_running = SitePlan.objects.filter(
        status=SitePlan.Status.RUNNING, started_at__lt=moment - OVERRUN_GRACE
    ).values_list("pk", "run_token", "started_at", "parameters")
    for plan_id, token, started_at, parameters in long_running:
        if started_at is None:  # the filter on started_at leaves none out; for the type checker
            continue
        deadline = started_at + 2 * timedelta(seconds=_time_limit_of(parameters)) + OVERRUN_GRACE
        if moment > deadline:
            failed += _running(plan_id, token).update(
                status=SitePlan.Status.FAILED, error=OVERRAN_ERROR, progress="failed", finished_at=moment
            )
    return failed


def _sweep_queued(moment: datetime) -> tuple[int, int]:
    """(handed over again, failed) of the queued plans older than queued_stale_after()."""
    handed = failed = 0
    stale = SitePlan.objects.filter(
        status=SitePlan.Status.QUEUED, created_at__lt=moment - queued_stale_after()
    )
    for plan_id, task_id in stale.values_list("pk", "task_id"):
        error = ""
        if not task_id:
            try:
                with transaction.atomic():
                    enqueue_plan(plan_id)
                handed += 1
                continue
            except Exception as exc:
                log.warning("could not hand site plan %s to the job backend", plan_id, exc_info=True)
                error = NOT_HANDED_OVER_ERROR.format(reason=f"{type(exc).__name__}: {exc}")
        elif not _job_pending(task_id, moment):
            error = JOB_LOST_ERROR if _job_ended(task_id) else JOB_STUCK_ERROR
        if error:
            failed += SitePlan.objects.filter(pk=plan_id, status=SitePlan.Status.QUEUED).update(
                status=SitePlan.Status.FAILED, error=error[:2000], progress="failed", finished_at=moment
            )
    return handed, failed


def fail_stalled_plans(*, now: datetime | None = None) -> str:
    """Periodic: a running plan whose heartbeat stopped lost its worker (killed, the machine
    restarted) and is marked failed so that nobody waits for it, and so is one past twice its
    time limit + OVERRUN_GRACE (its solver hangs); a queued plan that never reached the job
    backend is handed to it again (failed if it cannot be, or if its job ended without running
    it, or a worker took the job and died before running it)."""
    moment = now or timezone.now()
    cutoff = moment - stalled_after()
    stalled = SitePlan.objects.filter(status=SitePlan.Status.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    failed = stalled.update(
        status=SitePlan.Status.FAILED, error=STOPPED_ERROR, progress="failed", finished_at=moment
    )
    overran = _sweep_overrun(moment)
    handed, lost = _sweep_queued(moment)
    said = []
    if failed:
        said.append(f"{failed} stalled site plan(s) marked failed")
    if overran:
        said.append(f"{overran} site plan(s) past their time limit marked failed")
    if handed:
        said.append(f"{handed} queued site plan(s) handed to the worker again")
    if lost:
        said.append(f"{lost} queued site plan(s) failed")
    return "; ".join(said)
