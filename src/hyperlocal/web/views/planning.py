"""The planner pages of hub operators and platform admins: ask for a site plan (model and
parameters), follow it while it runs (htmx polls its progress), read it when done (map,
figures, sites, the p-curve, exports), open one of its new sites as a hub (platform admins),
and change the rule that splits a new hub's floor into zones."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRefresh

from hyperlocal.errors import DomainError, InvalidInput, NotAllowed, NotFound
from hyperlocal.hubs import services as hubs
from hyperlocal.hubs.models import Zone
from hyperlocal.hubs.services import HubStatus
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services import export, opening, plans, zoning
from hyperlocal.regions.models import Region
from hyperlocal.web.forms import add_domain_error
from hyperlocal.web.maps import region_name
from hyperlocal.web.planning_display import (
    curve_rows,
    curve_svg,
    parameters_summary,
    plan_map,
    site_rows,
    status_words,
)
from hyperlocal.web.planning_forms import OpenSiteForm, PlanForm, ZoneRuleForm, new_request_id
from hyperlocal.web.views.util import is_htmx, refuse, user_of

POLL_SECONDS = 1
PENDING = (SitePlan.Status.QUEUED, SitePlan.Status.RUNNING)


def _check_planner(request: HttpRequest) -> None:
    """Hub operators and platform admins plan; the services check again."""
    if not plans.can_plan(user_of(request)):
        raise PermissionDenied(_("Only hub operators and platform admins plan new sites."))


def _districts() -> list[Region]:
    return list(Region.objects.filter(level=Region.Level.DISTRICT).order_by("code"))


def _plan(request: HttpRequest, plan_id: int) -> SitePlan:
    _check_planner(request)
    try:
        return plans.get_plan(user_of(request), plan_id)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None


# -- the form and the recent plans --------------------------------------------------------------


def _planner_districts(request: HttpRequest) -> list[tuple[str, str]]:
    """The districts this planner plans for (all for platform admins), as form choices."""
    mine = plans.planning_districts(user_of(request))
    return [(d.code, region_name(d)) for d in (_districts() if mine is None else mine)]


def _home(request: HttpRequest, form: PlanForm | None = None, *, status: int = 200) -> HttpResponse:
    districts = _planner_districts(request)
    recent = plans.list_plans(user_of(request))  # without their results: the summary says enough
    for plan in recent:
        plan.asked = parameters_summary(plan.parameters or {})  # type: ignore[attr-defined]
        summary = plan.summary if isinstance(plan.summary, dict) else {}
        share = summary.get("coverage_share") if plan.status == SitePlan.Status.DONE else None
        plan.coverage_pct = share * 100 if isinstance(share, int | float) else None  # type: ignore[attr-defined]
    context = {
        "form": form or PlanForm(initial={"request_id": new_request_id()}, districts=districts),
        "plans": recent,
    }
    return render(request, "web/planning/home.html", context, status=status)


def _fresh(form: PlanForm) -> PlanForm:
    """The refused form as typed, with its errors and a new request id (the next send is a
    new request, not a repeat of this one)."""
    data = {**form.data.dict(), "request_id": new_request_id()}  # type: ignore[attr-defined]
    fresh = PlanForm(data, districts=form.fields["region_code"].choices)  # type: ignore[attr-defined]
    fresh.is_valid()
    for field, errors in form.errors.items():
        for error in errors:
            if error not in fresh.errors.get(field, []):
                fresh.add_error(field if field != "__all__" else None, error)
    return fresh


@login_required
def planning_home(request: HttpRequest) -> HttpResponse:
    _check_planner(request)
    if request.method != "POST":
        return _home(request)
    form = PlanForm(request.POST, districts=_planner_districts(request))
    if not form.is_valid():
        messages.error(request, _("No plan asked: check the marked fields."))
        return _home(request, _fresh(form), status=422)
    try:
        with transaction.atomic():
            plan, _created = plans.request_plan(
                user_of(request), form.raw(), request_id=form.cleaned_data["request_id"]
            )
    except InvalidInput as exc:
        add_domain_error(form, exc)
        messages.error(request, _("No plan asked: %(reason)s") % {"reason": exc.message})
        return _home(request, _fresh(form), status=exc.status_code)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        return _home(request, _fresh(form), status=refuse(request, exc, _("No plan asked:")))
    return redirect("web:plan", plan_id=plan.pk)


# -- one plan -----------------------------------------------------------------------------------


def _opened(result: dict[str, Any]) -> dict[int | None, Any]:
    """The plan's new sites already opened as hubs: space id -> hub."""
    ids = [s["space_id"] for s in result.get("sites") or [] if s.get("space_id") is not None]
    return {hub.vacant_space_id: hub for hub in hubs.list_hubs().filter(vacant_space_id__in=ids)}


def _done_context(request: HttpRequest, plan: SitePlan) -> dict[str, Any]:
    result: dict[str, Any] = plan.result or {}
    admin = hubs.is_platform_admin(user_of(request))
    sites = site_rows(result)
    opened = _opened(result) if admin else {}
    for site in sites:
        site["hub"] = opened.get(site.get("space_id"))
    open_url = reverse("web:plan_open", args=[plan.pk, 0]) if admin else ""
    status_class, status_text = status_words(result)
    curve = result.get("curve") or []
    return {
        "result": result,
        "sites": sites,
        "new_sites": [s for s in sites if not s["existing"]],
        "map": plan_map(plan.region.district, result, sites, open_url=open_url),
        "status_class": status_class,
        "status_text": status_text,
        "curve": curve_rows(curve),
        "svg": curve_svg(curve),
        "can_open": admin,
        "coverage_pct": (result.get("coverage") or {}).get("share", 0) * 100,
    }


def _progress_context(request: HttpRequest, plan: SitePlan) -> dict[str, Any]:
    user = user_of(request)
    return {
        "plan": plan,
        "poll": POLL_SECONDS,
        "wait": plans.queue_wait(plan),
        "can_cancel": plan.requested_by_id == user.pk or hubs.is_platform_admin(user),
    }


def _cancel(request: HttpRequest, plan: SitePlan) -> HttpResponse:
    try:
        with transaction.atomic():
            plan = plans.cancel_plan(user_of(request), plan.pk)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:  # finished meanwhile: the page shows how
        refuse(request, exc, _("Not cancelled:"))
        return redirect("web:plan", plan_id=plan.pk)
    if plan.status == SitePlan.Status.FAILED:
        messages.success(request, _("The plan is cancelled."))
    else:
        messages.success(request, _("The plan stops at its next step."))
    return redirect("web:plan", plan_id=plan.pk)


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    if request.method == "POST":
        if request.POST.get("action") != "cancel":
            return HttpResponse(status=400)
        return _cancel(request, plan)
    pending = plan.status in PENDING
    if is_htmx(request) and request.GET.get("part") == "progress":
        if pending:
            return render(request, "web/planning/_progress.html", _progress_context(request, plan))
        return HttpResponseClientRefresh()  # done or failed: the whole page, with the map
    context: dict[str, Any] = {
        **_progress_context(request, plan),
        "pending": pending,
        "region": region_name(plan.region),
        "summary": parameters_summary(plan.parameters or {}),
    }
    if plan.status == SitePlan.Status.DONE and plan.result:
        context.update(_done_context(request, plan))
    return render(request, "web/planning/plan.html", context)


def _download(content: str | bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def plan_csv(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    try:
        text = export.plan_csv(plan)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    return _download(text, f"site-plan-{plan.pk}.csv", "text/csv; charset=utf-8")


@login_required
def plan_geojson(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    try:
        collection = export.plan_geojson(plan)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    body = json.dumps(collection, ensure_ascii=False)
    return _download(body, f"site-plan-{plan.pk}.geojson", "application/geo+json")


# -- open a new site as a hub -------------------------------------------------------------------


def _zone_rows(zones: list[Any]) -> list[dict[str, Any]]:
    labels = dict(Zone.Kind.choices)
    return [
        {
            "kind": z.kind,
            "kind_label": labels.get(z.kind, z.kind),
            "name": z.name,
            "area_m2": z.area_m2,
            "capacity": z.capacity,
        }
        for z in zones
    ]


def _open_page(
    request: HttpRequest, plan: SitePlan, site: dict[str, Any], form: OpenSiteForm, *, status: int = 200
) -> HttpResponse:
    rule = zoning.zone_rule_for(plan.region)
    zones = zoning.split_zones(
        int(site["floor_area_m2"]),
        rule,
        community=bool(site.get("can_community")),
        popup=bool(site.get("can_popup")),
        stay=bool(site.get("can_stay")),
    )
    context = {
        "plan": plan,
        "site": site,
        "form": form,
        "zones": _zone_rows(zones),
        "rule": rule,
        "capacity": zoning.daily_capacity(int(site["floor_area_m2"]), rule),
        # ISO dates compare as text; a space free only later opens as a planned hub.
        "free_later": str(site.get("available_from") or "") > timezone.localdate().isoformat(),
    }
    return render(request, "web/planning/open.html", context, status=status)


@login_required
def plan_open(request: HttpRequest, plan_id: int, space_id: int) -> HttpResponse:
    plan = _plan(request, plan_id)
    user = user_of(request)
    if not hubs.is_platform_admin(user):
        raise PermissionDenied(_("Only platform admins open new hubs."))
    try:
        site = opening.new_site(plan, space_id)
    except DomainError:  # not done, or not one of its new sites
        raise Http404 from None
    if request.method != "POST":
        initial = {
            "name": site.get("name", ""),
            "promise_minutes": opening.default_promise_minutes(plan),
            "courier_mode": opening.default_courier_mode(plan),
        }
        return _open_page(request, plan, site, OpenSiteForm(initial=initial))
    form = OpenSiteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not opened: check the marked fields."))
        return _open_page(request, plan, site, form, status=422)
    try:
        with transaction.atomic():
            hub = opening.open_site(user, plan, space_id, **form.values())
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        add_domain_error(form, exc)
        return _open_page(request, plan, site, form, status=refuse(request, exc, _("Not opened:")))
    if hub.status == HubStatus.PLANNED:
        messages.success(
            request,
            _("%(name)s is a planned hub: set it open once the space is free on %(date)s.")
            % {"name": hub.name, "date": site.get("available_from")},
        )
    else:
        messages.success(request, _("%(name)s is open as a hub.") % {"name": hub.name})
    return redirect("web:hub", slug=hub.slug)


# -- the zone split rule ------------------------------------------------------------------------


def _rule_page(
    request: HttpRequest, district: Region, form: ZoneRuleForm | None = None, *, status: int = 200
) -> HttpResponse:
    rule = zoning.zone_rule_for(district)
    context = {
        "district": district,
        "district_name": region_name(district),
        "districts": _planner_districts(request),
        "rule": rule,
        "shares": {
            kind: getattr(rule, f"{kind}_bp") / 100 for kind in ("warehouse", "community", "popup", "stay")
        },
        "saved": rule.pk is not None,
        "form": form or ZoneRuleForm.for_rule(rule, district.code),
        "example": _zone_rows(zoning.split_zones(300, rule, community=True, popup=True, stay=True)),
        "example_capacity": zoning.daily_capacity(300, rule),
    }
    return render(request, "web/planning/zone_rule.html", context, status=status)


def _district(request: HttpRequest, code: str | None) -> Region:
    """The district asked for, among those this planner plans for (404 for others)."""
    mine = plans.planning_districts(user_of(request))
    districts = _districts() if mine is None else mine
    if not districts:
        raise Http404
    if not code:
        return districts[0]
    for district in districts:
        if district.code == code:
            return district
    raise Http404


@login_required
def zone_rule(request: HttpRequest) -> HttpResponse:
    _check_planner(request)
    if request.method != "POST":
        return _rule_page(request, _district(request, request.GET.get("region")))
    form = ZoneRuleForm(request.POST)
    district = _district(request, request.POST.get("region"))
    if not form.is_valid():
        messages.error(request, _("Rule not changed: check the marked fields."))
        return _rule_page(request, district, form, status=422)
    try:
        with transaction.atomic():
            zoning.update_zone_rule(user_of(request), district, **form.values())
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    except DomainError as exc:
        form.add_error(form.field_for(exc.field), exc.message)
        return _rule_page(request, district, form, status=refuse(request, exc, _("Rule not changed:")))
    messages.success(
        request, _("The zone split rule of %(name)s is changed.") % {"name": region_name(district)}
    )
    return redirect(f"{reverse('web:zone_rule')}?region={district.code}")
