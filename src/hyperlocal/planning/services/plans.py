"""Site plans as jobs: a planner asks for one (it is queued), a worker runs it once, anyone who
plans reads it back.

A plan is requested by a hub operator or a platform admin; its parameters are checked before
anything is written (422 naming the field), and a client's retry with the same request id
finds the first plan instead of queueing another. The job (planning/tasks.py) is queued when
the request's transaction commits; the worker claims the plan with a conditional UPDATE
(queued -> running), so that a plan runs once even if two workers are handed it, and always
leaves it done (with its result) or failed (with a clear error), never running.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from hyperlocal.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hyperlocal.geo import TravelTimeModel
from hyperlocal.hubs.services.permissions import AnyUser
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services.parameters import PlanParameters, clean_parameters
from hyperlocal.planning.services.runner import run_plan
from hyperlocal.planning.services.zoning import can_plan
from hyperlocal.regions.models import Region

log = logging.getLogger(__name__)

__all__ = [
    "can_plan",
    "enqueue_plan",
    "execute_plan",
    "fail_stalled_plans",
    "get_plan",
    "list_plans",
    "record_plan",
    "request_plan",
]

# (what is happening, fraction done 0..1 or None): the runner's progress callback.
Progress = Callable[[str, float | None], None]

MAX_REQUEST_ID = 64  # SitePlan.request_id
MAX_LIST = 100
# Progress text is written to the plan's row at most this often (seconds).
PROGRESS_EVERY_S = 0.5
# A plan still running this long after its time limit has lost its worker (killed, machine
# restarted): fail_stalled_plans marks it failed.
STALLED_AFTER = timedelta(minutes=15)


def _check_can_plan(user: AnyUser) -> None:
    if not can_plan(user):
        raise NotAllowed("only hub operators and platform admins plan sites")


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
    region = Region.objects.filter(code=params.region_code).first()
    if region is None:
        raise InvalidInput(f"no region {params.region_code!r}", field="region_code")
    return region


def _same_request(plan: SitePlan, params: PlanParameters) -> SitePlan:
    if plan.parameters != params.to_json():
        raise Conflict(
            f"request id {plan.request_id!r} was used for another plan (plan {plan.pk}) with other "
            "parameters; send a new request id",
            field="request_id",
            code="request_id_reused",
        )
    return plan


def request_plan(user: AnyUser, raw: Mapping[str, object], *, request_id: str = "") -> tuple[SitePlan, bool]:
    """Queue a plan; (plan, created). The same user's same request id returns the first plan
    (created False); the same id with other parameters is a Conflict. The job is queued when
    the caller's transaction commits (at once outside one)."""
    _check_can_plan(user)
    request_id = _clean_request_id(request_id)
    params = clean_parameters(raw)
    region = _region(params)
    parameters = params.to_json()
    if request_id:
        first = SitePlan.objects.filter(requested_by=user.pk, request_id=request_id).first()
        if first is not None:
            return _same_request(first, params), False
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
    """Hand the plan to the job backend (the worker, or at once in tests)."""
    from hyperlocal.planning.tasks import run_site_plan  # the task module imports this one

    run_site_plan.enqueue(plan_id)


class _ProgressWriter:
    """Writes the runner's progress to the plan's row, at most every PROGRESS_EVERY_S seconds
    (the last word always), and passes it on to the caller's callback."""

    def __init__(self, plan_id: int, then: Progress | None) -> None:
        self.plan_id = plan_id
        self.then = then
        self.written_at = float("-inf")

    def __call__(self, what: str, fraction: float | None) -> None:
        if self.then is not None:
            self.then(what, fraction)
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY_S:
            return
        self.written_at = now
        text = what if fraction is None else f"{what} ({max(0.0, min(1.0, fraction)):.0%})"
        try:
            SitePlan.objects.filter(pk=self.plan_id, status=SitePlan.Status.RUNNING).update(
                progress=text[:200]
            )
        except DatabaseError:  # progress is a courtesy: a locked database must not fail the plan
            log.warning("could not write the progress of plan %s", self.plan_id, exc_info=True)


def _finish(plan_id: int, **values: object) -> bool:
    return (
        SitePlan.objects.filter(pk=plan_id, status=SitePlan.Status.RUNNING).update(
            finished_at=timezone.now(), **values
        )
        == 1
    )


def _fail(plan_id: int, error: str) -> None:
    _finish(plan_id, status=SitePlan.Status.FAILED, error=error, progress="failed")


def execute_plan(
    plan_id: int, *, progress: Progress | None = None, model: TravelTimeModel | None = None
) -> SitePlan:
    """Run a queued plan once: claim it (queued -> running), run the model, store the result
    (done) or the error (failed). A plan that is not queued (another worker has it, or it is
    finished) is returned as it is, untouched. Run it outside a transaction, so that the
    progress written meanwhile is seen by others."""
    claimed = SitePlan.objects.filter(pk=plan_id, status=SitePlan.Status.QUEUED).update(
        status=SitePlan.Status.RUNNING, started_at=timezone.now(), progress="starting", error=""
    )
    if not claimed:
        plan = SitePlan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(f"no site plan {plan_id}", field="plan_id")
        log.info("site plan %s is %s, not queued: not run again", plan_id, plan.status)
        return plan
    try:
        params = clean_parameters(SitePlan.objects.values_list("parameters", flat=True).get(pk=plan_id))
        result = run_plan(params, model=model, progress=_ProgressWriter(plan_id, progress))
        if not _finish(plan_id, status=SitePlan.Status.DONE, result=result, progress="done"):
            log.warning("site plan %s was no longer running when it finished", plan_id)
    except DomainError as exc:  # bad parameters or inputs: the planner's to fix
        _fail(plan_id, exc.message)
    except Exception as exc:
        log.exception("site plan %s failed", plan_id)
        _fail(plan_id, f"the plan failed unexpectedly ({type(exc).__name__}: {exc}); nothing was changed")
    except BaseException:  # the worker is being stopped: say so rather than leave it running
        _fail(plan_id, "the worker was stopped while this plan ran; ask for it again")
        raise
    return SitePlan.objects.select_related("region", "requested_by").get(pk=plan_id)


def get_plan(user: AnyUser, plan_id: int) -> SitePlan:
    _check_can_plan(user)
    plan = SitePlan.objects.select_related("region", "requested_by").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(f"no site plan {plan_id}", field="plan_id")
    return plan


def list_plans(user: AnyUser, *, limit: int = 20) -> list[SitePlan]:
    """The newest plans first (every planner's: plans are about the city, not private)."""
    _check_can_plan(user)
    limit = max(1, min(MAX_LIST, limit))
    return list(
        SitePlan.objects.select_related("region", "requested_by").order_by("-created_at", "-pk")[:limit]
    )


def fail_stalled_plans(*, now: datetime | None = None) -> str:
    """Periodic: a plan still running long past its time limit lost its worker (killed, the
    machine restarted); it is marked failed so that nobody waits for it."""
    moment = now or timezone.now()
    failed = 0
    running = SitePlan.objects.filter(status=SitePlan.Status.RUNNING, started_at__isnull=False)
    for plan_id, started_at, parameters in running.values_list("pk", "started_at", "parameters"):
        limit = parameters.get("time_limit_seconds") if isinstance(parameters, dict) else None
        seconds = float(limit) if isinstance(limit, int | float) and not isinstance(limit, bool) else 3600.0
        if started_at is not None and moment - started_at > STALLED_AFTER + timedelta(seconds=seconds):
            failed += SitePlan.objects.filter(pk=plan_id, status=SitePlan.Status.RUNNING).update(
                status=SitePlan.Status.FAILED,
                error="the worker stopped while this plan ran; ask for it again",
                progress="failed",
                finished_at=moment,
            )
    return f"{failed} stalled site plan(s) marked failed" if failed else ""
