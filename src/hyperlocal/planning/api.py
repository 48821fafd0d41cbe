"""Planning API (/api/planning): site plans run as jobs, their exports, opening a chosen space
as a hub, the district's zone split rule and the vacant spaces.

For hub operators and platform admins (403 for anyone else); opening a hub is for platform
admins. A plan is asked for with POST /plans and runs in the worker: 202 with the queued plan
(poll GET /plans/{id} until it is done or failed). A client-chosen id, as `request_id` in the
body or an `Idempotency-Key` header, makes a retry safe: the same id and parameters answer
200 with the first plan, the same id with other parameters 409. Bad parameters are 422 naming
the field.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import P, QueryEx, Router, Status
from ninja.params import HeaderEx, PathEx

from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.accounts.models import User
from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.hubs import services as hub_services
from hyperlocal.hubs.schemas import HubDetailOut, hub_detail_out
from hyperlocal.planning.schemas import (
    BIGINT,
    CODE,
    REQUEST_ID,
    OpenSiteIn,
    PlanIn,
    SitePlanOut,
    SitePlanSummaryOut,
    SpaceOut,
    ZoneRuleIn,
    ZoneRuleOut,
    plan_out,
    plan_summary_out,
    space_out,
    zone_rule_out,
)
from hyperlocal.planning.services import export, opening, plans, region_for
from hyperlocal.planning.services.zoning import update_zone_rule, zone_rule_for
from hyperlocal.regions.models import Region
from hyperlocal.schemas import request_id_from, with_errors

router = Router(tags=["planning"])

PlanId = PathEx[int, P(ge=1, le=BIGINT, description="the plan's id")]
RegionCode = QueryEx[str, P(pattern=CODE, description="a district or one of its dongs")]
IdempotencyKey = HeaderEx[
    str | None,
    P(
        alias="Idempotency-Key",
        pattern=REQUEST_ID,
        description="the request id, if not sent as `request_id` in the body",
    ),
]


def _region(code: str) -> Region:
    """The region of a query or body field named ``region`` (422 naming it when unknown)."""
    try:
        return region_for(code)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="region") from None


def _check_planner(user: User, region: Region | None = None) -> None:
    """A planner (403 otherwise), and one of this region's district when one is named."""
    if not plans.can_plan(user):
        raise NotAllowed("only hub operators and platform admins plan sites")
    if region is not None:
        try:
            plans.check_district(user, region)
        except NotAllowed as exc:
            raise NotAllowed(exc.message, field="region") from None


# --- plans -----------------------------------------------------------------------------------


@router.post(
    "/plans",
    auth=api_auth,
    response=with_errors({200: SitePlanOut, 202: SitePlanOut}, 401, 403, 409, 422),
    summary="Ask for a site plan (it runs as a job)",
    description="202: queued (poll GET /plans/{id}). 200: a repeat of the same request id and "
    "parameters (the first plan, in whatever state it is now). 409: the request id was used with "
    "other parameters. 422: a parameter is out of range (the field is named).",
)
def create_plan(
    request: HttpRequest, payload: PlanIn, idempotency_key: IdempotencyKey = None
) -> Status[SitePlanOut]:
    user = _user(request)
    # Optional here: a plan moves no money, so a retry without an id just plans again.
    request_id = request_id_from(payload.request_id, idempotency_key, required=False)
    raw = payload.dict(exclude_none=True, exclude={"request_id"})
    with transaction.atomic():
        plan, created = plans.request_plan(user, raw, request_id=request_id)
    # Read again after the commit: a backend that runs jobs at once has finished it already.
    return Status(202 if created else 200, plan_out(plans.get_plan(user, plan.pk)))


@router.get(
    "/plans",
    auth=api_auth,
    response=with_errors({200: list[SitePlanSummaryOut]}, 401, 403, 422),
    summary="Recent site plans, newest first",
)
def list_plans(
    request: HttpRequest, limit: QueryEx[int, P(ge=1, le=plans.MAX_LIST)] = 20
) -> list[SitePlanSummaryOut]:
    return [plan_summary_out(p) for p in plans.list_plans(_user(request), limit=limit)]


@router.get(
    "/plans/{plan_id}",
    auth=api_auth,
    response=with_errors({200: SitePlanOut}, 401, 403, 404, 422),
    summary="One site plan: its status and progress, then its result (sites, coverage, cells, curve)",
)
def get_plan(request: HttpRequest, plan_id: PlanId) -> SitePlanOut:
    return plan_out(plans.get_plan(_user(request), plan_id))


@router.post(
    "/plans/{plan_id}/cancel",
    auth=api_auth,
    response=with_errors({200: SitePlanOut}, 401, 403, 404, 409, 422),
    summary="Cancel a queued or running plan (its planner, or a platform admin)",
    description="A queued plan fails at once with the error 'cancelled by <user>'; a running one "
    "when the planner next reports progress (the answer shows cancel_requested_at until then). "
    "409: the plan has finished.",
)
def cancel_plan(request: HttpRequest, plan_id: PlanId) -> SitePlanOut:
    return plan_out(plans.cancel_plan(_user(request), plan_id))


@router.get(
    "/plans/{plan_id}/plan.csv",
    auth=api_auth,
    response=with_errors({}, 401, 403, 404, 409, 422),
    summary="The plan's sites as CSV (409 until it is done)",
    openapi_extra={
        "responses": {
            200: {
                "description": "one row per site",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def plan_csv(request: HttpRequest, plan_id: PlanId) -> HttpResponse:
    plan = plans.get_plan(_user(request), plan_id)
    response = HttpResponse(export.plan_csv(plan), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="site-plan-{plan.pk}.csv"'
    return response


@router.get(
    "/plans/{plan_id}/plan.geojson",
    auth=api_auth,
    response=with_errors({200: dict[str, Any]}, 401, 403, 404, 409, 422),
    summary="The plan's sites (points) and covered cells (polygons) as GeoJSON (409 until it is done)",
)
def plan_geojson(request: HttpRequest, plan_id: PlanId) -> dict[str, Any]:
    return export.plan_geojson(plans.get_plan(_user(request), plan_id))


@router.post(
    "/plans/{plan_id}/open",
    auth=api_auth,
    response=with_errors({201: HubDetailOut}, 401, 403, 404, 409, 422, 503),
    summary="Open a space the plan chose as a hub (platform admin)",
    description="The hub takes the space's address, point and floor area; its zones are split from "
    "the floor area by the district's zone rule; its service area is computed. 409: the plan is not "
    "done or the space is already a hub (or the slug is taken). 422: the plan did not choose the space.",
)
def open_site(request: HttpRequest, plan_id: PlanId, payload: OpenSiteIn) -> Status[HubDetailOut]:
    user = _user(request)
    plan = plans.get_plan(user, plan_id)
    values = payload.dict(exclude={"space_id"})
    hub = opening.open_site(user, plan, payload.space_id, **values)
    hub = hub_services.get_hub(hub.slug)
    detail = hub_detail_out(
        hub,
        is_open_now=hub_services.is_open_at(hub, timezone.now()),
        summary=hub_services.service_area_summary(hub),
    )
    return Status(201, detail)


# --- the zone split rule and the spaces --------------------------------------------------------


@router.get(
    "/zone-rule",
    auth=api_auth,
    response=with_errors({200: ZoneRuleOut}, 401, 403, 422),
    summary="The district's zone split rule (the defaults when none is stored)",
)
def get_zone_rule(request: HttpRequest, region: RegionCode) -> ZoneRuleOut:
    where = _region(region)
    _check_planner(_user(request), where)
    return zone_rule_out(zone_rule_for(where))


@router.put(
    "/zone-rule",
    auth=api_auth,
    response=with_errors({200: ZoneRuleOut}, 401, 403, 422),
    summary="Change the district's zone split rule (hub operators, platform admins)",
    description="Shares are basis points of the floor area (the warehouse at least 1000, all "
    "together at most 10000); fields left out keep their value.",
)
def put_zone_rule(request: HttpRequest, payload: ZoneRuleIn) -> ZoneRuleOut:
    user = _user(request)
    values = payload.dict(exclude_none=True, exclude={"region"})
    where = _region(payload.region)
    _check_planner(user, where)
    with transaction.atomic():
        rule = update_zone_rule(user, where, **values)
    return zone_rule_out(rule)


@router.get(
    "/spaces",
    auth=api_auth,
    response=with_errors({200: list[SpaceOut]}, 401, 403, 422),
    summary="Vacant spaces (of a region), with whether each is already a hub",
    description="Only of the districts the planner plans for (a hub operator: where they run a hub).",
)
def list_spaces(
    request: HttpRequest,
    region: QueryEx[str | None, P(pattern=CODE, description="a district or one of its dongs")] = None,
    open_only: bool = False,
    limit: QueryEx[int, P(ge=1, le=opening.MAX_SPACES)] = 100,
) -> list[SpaceOut]:
    user = _user(request)
    where = _region(region) if region else None
    _check_planner(user, where)
    if where is not None:
        return [space_out(s) for s in opening.list_spaces(region=where, open_only=open_only, limit=limit)]
    districts = plans.planning_districts(user)
    if districts is None:
        return [space_out(s) for s in opening.list_spaces(open_only=open_only, limit=limit)]
    spaces = [s for d in districts for s in opening.list_spaces(region=d, open_only=open_only, limit=limit)]
    spaces.sort(key=lambda s: (s.name, s.pk))
    return [space_out(s) for s in spaces[:limit]]
