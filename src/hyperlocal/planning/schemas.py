"""Request and response bodies of the planning API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from hyperlocal.planning.models import SitePlan, VacantSpace, ZoneSplitRule
from hyperlocal.planning.services.plans import queue_note

BIGINT = 2**63 - 1
# Visible ASCII, as the other APIs take request ids; a plan keeps at most 64 characters.
REQUEST_ID = r"^[\x20-\x7e]{1,64}$"
CODE = r"^[0-9A-Za-z_-]{1,16}$"
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"

# Spelled out: enums named alike in several apps would share one OpenAPI component.
PlanStatus = Literal["queued", "running", "done", "failed"]
ModelName = Literal["mclp", "set_cover", "p_median"]
ModeName = Literal["walk", "bike", "scooter", "car"]
DemandSource = Literal["population", "orders", "blend"]
OrderWeight = Literal["count", "value"]
SpaceZoneKind = Literal["community", "popup", "stay"]
RequestId = Annotated[str, Field(pattern=REQUEST_ID, description="client-chosen, new for every request")]
Number = Annotated[float, Field(allow_inf_nan=False)]


class PlanIn(Schema):
    """What to plan; every field may be left out for its default (checked by the planner, which
    answers 422 naming the field for a value out of range)."""

    model_config = ConfigDict(extra="forbid")

    region_code: str | None = Field(
        None,
        pattern=CODE,
        description=(
            "a district or dong; default your own district when you plan for exactly one "
            "(a hub operator), otherwise the first district"
        ),
    )
    model: ModelName | None = Field(None, description="mclp (default), set_cover or p_median")
    p: StrictInt | None = Field(None, description="new sites for mclp and p_median (default 3)")
    target: Number | None = Field(None, description="share of demand to cover, set_cover (default 0.95)")
    promise_minutes: Number | None = Field(None, description="ride time from a site to a cell (default 15)")
    mode: ModeName | None = Field(None, description="courier mode (default bike)")
    budget_won: StrictInt | None = Field(None, description="most monthly rent of the new sites")
    capacitated: StrictBool | None = Field(
        None, description="cap each site at its daily order capacity (on by default; false turns it off)"
    )
    time_limit_seconds: Number | None = Field(None, description="solver time limit (default 30)")
    demand_source: DemandSource | None = Field(None, description="population, orders or blend (default)")
    population_source: str | None = Field(None, max_length=100, pattern=PLAIN_TEXT)
    order_weight: OrderWeight | None = None
    orders_days: StrictInt | None = Field(None, description="orders of the last N days (default 28)")
    orders_share: Number | None = Field(
        None,
        description=(
            "blend: how far each area's rate follows its orders, 0..1 (default 0.5): households set "
            "the level, orders where hubs deliver shape it"
        ),
    )
    orders_per_household_day: Number | None = None
    growth: dict[str, Number] | None = Field(None, description="region code -> growth factor")
    available_by: date | None = Field(None, description="only spaces available by this date")
    zone_kind: SpaceZoneKind | None = Field(None, description="only spaces that can hold this kind of zone")
    include_existing_hubs: StrictBool | None = None
    curve_up_to: StrictInt | None = Field(None, description="also solve p = 1..N for the comparison table")
    request_id: RequestId | None = Field(None, description="client-chosen id (or an Idempotency-Key header)")


class SitePlanSummaryOut(Schema):
    id: int
    status: PlanStatus
    region: str = Field(description="code of the planned district or dong")
    region_name: str
    model: str
    requested_by: str | None
    progress: str
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    coverage_share: float | None = Field(description="share of demand covered, once done")
    new_sites: int | None = Field(description="new sites proposed, once done")
    monthly_rent_won: int | None = Field(description="the new sites' rent a month, once done")
    heartbeat_at: datetime | None = Field(description="the running plan's worker was last heard of then")
    cancel_requested_at: datetime | None = Field(description="a cancel was asked for then")
    note: str = Field(description="why a queued plan may be waiting (empty when nothing to say)")


class SitePlanOut(SitePlanSummaryOut):
    parameters: dict[str, Any]
    result: dict[str, Any] | None = Field(description="the plan's answer once done (see the README)")


class OpenSiteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    space_id: StrictInt = Field(ge=1, le=BIGINT, description="a vacant space the plan chose as a new site")
    name: str | None = Field(None, min_length=1, max_length=120, pattern=PLAIN_TEXT)
    slug: str | None = Field(None, min_length=1, max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")
    promise_minutes: StrictInt | None = Field(
        None, description="door-to-door promise; default the plan's ride promise + pick and pack"
    )
    courier_mode: ModeName | None = None


class ZoneRuleOut(Schema):
    region: str
    region_name: str
    saved: bool = Field(description="false: the defaults, no rule stored for the district yet")
    warehouse_bp: int
    community_bp: int
    popup_bp: int
    stay_bp: int
    popup_bay_m2: int
    stay_room_m2: int
    orders_per_warehouse_m2: float
    updated_at: datetime | None


class ZoneRuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    region: str = Field(pattern=CODE, description="the district (or one of its dongs)")
    warehouse_bp: StrictInt | None = Field(None, description="basis points of the floor area")
    community_bp: StrictInt | None = None
    popup_bp: StrictInt | None = None
    stay_bp: StrictInt | None = None
    popup_bay_m2: StrictInt | None = None
    stay_room_m2: StrictInt | None = None
    orders_per_warehouse_m2: Number | None = None


class SpaceOut(Schema):
    id: int
    name: str
    region: str
    address: str
    lat: float
    lng: float
    kind: str
    floor_area_m2: int
    monthly_rent_won: int
    available_from: date
    can_warehouse: bool
    can_community: bool
    can_popup: bool
    can_stay: bool
    is_hub: bool


def plan_summary_fields(plan: SitePlan) -> dict[str, Any]:
    """The plan's list fields: never its result (lists defer it), its summary instead."""
    summary = plan.summary if isinstance(plan.summary, dict) else {}
    parameters = plan.parameters if isinstance(plan.parameters, dict) else {}
    done = plan.status == SitePlan.Status.DONE
    share = summary.get("coverage_share")
    new_sites = summary.get("new_sites")
    rent = summary.get("monthly_rent_won")
    return {
        "id": plan.pk,
        "status": plan.status,
        "region": plan.region.code,
        "region_name": str(plan.region),
        "model": str(parameters.get("model", "")),
        "requested_by": plan.requested_by.username if plan.requested_by else None,
        "progress": plan.progress,
        "error": plan.error,
        "created_at": plan.created_at,
        "started_at": plan.started_at,
        "finished_at": plan.finished_at,
        "coverage_share": float(share) if done and isinstance(share, int | float) else None,
        "new_sites": int(new_sites) if done and isinstance(new_sites, int) else None,
        "monthly_rent_won": int(rent) if done and isinstance(rent, int) else None,
        "heartbeat_at": plan.heartbeat_at,
        "cancel_requested_at": plan.cancel_requested_at,
        "note": queue_note(plan),
    }


def plan_summary_out(plan: SitePlan) -> SitePlanSummaryOut:
    return SitePlanSummaryOut(**plan_summary_fields(plan))


def plan_out(plan: SitePlan) -> SitePlanOut:
    return SitePlanOut(
        **plan_summary_fields(plan),
        parameters=plan.parameters if isinstance(plan.parameters, dict) else {},
        result=plan.result if isinstance(plan.result, dict) else None,
    )


def zone_rule_out(rule: ZoneSplitRule) -> ZoneRuleOut:
    return ZoneRuleOut(
        region=rule.region.code,
        region_name=str(rule.region),
        saved=rule.pk is not None,
        warehouse_bp=rule.warehouse_bp,
        community_bp=rule.community_bp,
        popup_bp=rule.popup_bp,
        stay_bp=rule.stay_bp,
        popup_bay_m2=rule.popup_bay_m2,
        stay_room_m2=rule.stay_room_m2,
        orders_per_warehouse_m2=rule.orders_per_warehouse_m2,
        updated_at=rule.updated_at if rule.pk is not None else None,
    )


def space_out(space: VacantSpace) -> SpaceOut:
    return SpaceOut(
        id=space.pk,
        name=space.name,
        region=space.region.code,
        address=space.address,
        lat=space.lat,
        lng=space.lng,
        kind=space.kind,
        floor_area_m2=space.floor_area_m2,
        monthly_rent_won=space.monthly_rent_won,
        available_from=space.available_from,
        can_warehouse=space.can_warehouse,
        can_community=space.can_community,
        can_popup=space.can_popup,
        can_stay=space.can_stay,
        is_hub=bool(getattr(space, "is_hub", False)),
    )
