"""The planner pages: hub operators and platform admins ask for a site plan, follow it and read
it (map, figures, sites, the p-curve, exports); platform admins open a chosen space as a hub;
the zone split rule can be changed. Everyone else gets 403 (or the login page); bad input is
shown on the form's field with a 422 and writes nothing. Jobs run at once in tests."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.geo import Point, cell_of
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.planning.models import SitePlan, VacantSpace, ZoneSplitRule
from hyperlocal.regions.models import Region
from tests.factories import UserFactory, region_at
from tests.web.conftest import english
from tests.web.world import World

HOME = "/planning/"
RULE = "/planning/zone-rule/"

# Four candidate spaces spread over Mapo-gu (name, lat, lng, floor area, rent).
SPACES = [
    ("Mangwon corner shop", 37.5558, 126.9030, 240, 9_000_000),
    ("Gongdeok upper floor", 37.5446, 126.9512, 420, 12_000_000),
    ("Sangam basement", 37.5790, 126.8895, 600, 8_000_000),
    ("Seongsan parking", 37.5660, 126.9100, 900, 10_000_000),
]

Capture = Callable[..., Any]
FORM_FIELDS = ("model", "p", "target", "promise_minutes", "mode", "budget_won", "capacitated",
               "time_limit_seconds", "demand_source", "orders_share", "growth", "curve_up_to",
               "available_by", "zone_kind", "include_existing_hubs", "order_weight", "orders_days",
               "orders_per_household_day")  # fmt: skip


def make_spaces() -> list[VacantSpace]:
    spaces = []
    for n, (name, lat, lng, area, rent) in enumerate(SPACES):
        point = Point(lat, lng)
        spaces.append(
            VacantSpace.objects.create(
                name=name,
                region=region_at(point),
                address=f"서울 마포구 시험로 {n + 1}",
                lat=lat,
                lng=lng,
                cell=cell_of(point, settings.SERVICE_AREA_RESOLUTION),
                kind=VacantSpace.Kind.UPPER_FLOOR,
                floor_area_m2=area,
                monthly_rent_won=rent,
                can_community=True,
                can_popup=True,
                can_stay=n % 2 == 0,
            )
        )
    return spaces


def map_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no map on the page"
    data: dict[str, Any] = json.loads(found[1])
    return data


def planner(username: str, role: Role) -> User:
    user = UserFactory(username=username)
    grant_role(user, role)
    return user


def plan_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "request_id": "r-" + "x" * 20,
        "model": "mclp",
        "p": "2",
        "target": "95",
        "promise_minutes": "12",
        "mode": "bike",
        "budget_won": "",
        "time_limit_seconds": "20",
        "demand_source": "population",
        "orders_share": "50",
        "growth": "",
        "curve_up_to": "3",
        "order_weight": "count",
        "orders_days": "28",
        "orders_per_household_day": "0.05",
        "available_by": "",
        "zone_kind": "",
        "include_existing_hubs": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def spaces(world: World) -> list[VacantSpace]:
    return make_spaces()


@pytest.fixture
def operator(world: World) -> Client:
    user = planner("planner-op", Role.HUB_OPERATOR)
    world.hub.operators.add(user)
    return english(Client(), user)


@pytest.fixture
def admin(world: World) -> Client:
    return english(Client(), planner("planner-admin", Role.PLATFORM_ADMIN))


def run_plan(client: Client, capture: Capture, **changes: object) -> SitePlan:
    """Post the form; the job runs when the request's transaction commits."""
    with capture(execute=True):
        response = client.post(HOME, plan_form(**changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = SitePlan.objects.order_by("-pk").first()
    assert plan is not None
    assert response["Location"] == f"/planning/plans/{plan.pk}/"
    plan.refresh_from_db()
    return plan


# -- who may plan -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(mapo: Region, client: Client) -> None:
    for url in (HOME, RULE, "/planning/plans/1/", "/planning/plans/1/plan.csv"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


@pytest.mark.django_db
def test_residents_get_403_and_no_nav_link(world: World, resident_client: Client) -> None:
    assert resident_client.get(HOME).status_code == 403
    assert resident_client.get(RULE).status_code == 403
    assert resident_client.post(HOME, plan_form()).status_code == 403
    assert not SitePlan.objects.exists()
    assert 'id="nav-planning"' not in resident_client.get("/").content.decode()


@pytest.mark.django_db
def test_operators_and_admins_see_the_form_and_the_nav_link(operator: Client, admin: Client) -> None:
    for client in (operator, admin):
        html = client.get(HOME).content.decode()
        assert 'id="nav-planning"' in html
        assert 'id="plan-form"' in html
        for name in FORM_FIELDS:
            assert f'name="{name}"' in html, name
        assert "No plan yet." in html


@pytest.mark.django_db
def test_the_operator_role_without_a_hub_plans_nowhere(world: World) -> None:
    client = english(Client(), planner("role-only", Role.HUB_OPERATOR))
    assert client.get(HOME).status_code == 403


# -- asking for a plan --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_runs_and_its_page_shows_map_figures_sites_curve_and_exports(
    spaces: list[VacantSpace], operator: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    plan = run_plan(operator, django_capture_on_commit_callbacks)
    assert plan.status == SitePlan.Status.DONE, plan.error
    result = plan.result
    assert result is not None
    html = operator.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert 'id="map-data"' in html
    assert "web/planning.js" in html
    data = map_data(html)
    new = [s for s in data["sites"] if not s["existing"]]
    assert len(new) == 2
    assert [s for s in data["sites"] if s["existing"]], "the world's hub is an existing site"
    assert all(s["area"] for s in new), "each new site covers cells"
    assert "Open this site" not in html, "operators do not open hubs"
    pct = f"{result['coverage']['share'] * 100:.1f} %"
    assert pct in html
    assert 'id="kpi-travel"' in html
    assert 'id="kpi-rent-household"' in html
    assert html.count('class="site-row"') == len(result["sites"])
    assert 'id="curve-table"' in html
    assert "<polyline" in html
    assert html.count("<tr data-p=") == 3
    assert f"/planning/plans/{plan.pk}/plan.csv" in html
    assert f"/planning/plans/{plan.pk}/plan.geojson" in html
    # The list of recent plans has it.
    listing = operator.get(HOME).content.decode()
    assert f'href="/planning/plans/{plan.pk}/"' in listing


@pytest.mark.django_db
def test_exports_download(
    spaces: list[VacantSpace], operator: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    plan = run_plan(operator, django_capture_on_commit_callbacks)
    response = operator.get(f"/planning/plans/{plan.pk}/plan.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="site-plan-{plan.pk}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 + len(plan.result["sites"])  # type: ignore[index]
    response = operator.get(f"/planning/plans/{plan.pk}/plan.geojson")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="site-plan-{plan.pk}.geojson"'
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert {f["geometry"]["type"] for f in collection["features"]} >= {"Point", "Polygon"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"p": "two"}, "p", "Enter a whole number"),
        ({"promise_minutes": "-5"}, "promise_minutes", "promise_minutes must be in"),
        ({"target": "150"}, "target", "target must be in"),
        ({"growth": "99999=1.2"}, "growth", "growth"),
        ({"orders_days": "400"}, "orders_days", "orders_days must be in"),
        ({"model": "magic"}, "model", "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_writes_nothing(
    spaces: list[VacantSpace],
    operator: Client,
    changes: dict[str, object],
    field: str,
    words: str,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(HOME, plan_form(**changes))
    assert response.status_code == 422
    html = response.content.decode()
    block = re.search(
        rf'<div class="field has-error[^"]*">(?:(?!</div>).)*name="{field}"(?:(?!</div>).)*</div>', html, re.S
    )
    assert block, f"no error on {field}"
    assert words in block[0]
    assert not SitePlan.objects.exists()
    # What was typed stays, with a new request id for the next try.
    assert 'name="request_id"' in html
    assert "r-xxxxxxxxxxxxxxxxxxxx" not in html


@pytest.mark.django_db
def test_p_above_the_spaces_is_refused_on_its_field_before_anything_is_queued(
    spaces: list[VacantSpace], operator: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(HOME, plan_form(p="9", curve_up_to="0"))
    assert response.status_code == 422
    html = response.content.decode()
    block = re.search(
        r'<div class="field has-error[^"]*">(?:(?!</div>).)*name="p"(?:(?!</div>).)*</div>', html, re.S
    )
    assert block, "no error on p"
    assert f"more than the {len(spaces)} vacant space" in block[0]
    assert not SitePlan.objects.exists()


@pytest.mark.django_db
def test_an_operator_s_long_time_limit_is_refused_on_its_field(
    spaces: list[VacantSpace], operator: Client, admin: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    response = operator.post(HOME, plan_form(time_limit_seconds="900"))
    assert response.status_code == 422
    assert "time_limit_seconds may be at most 300" in response.content.decode()
    assert not SitePlan.objects.exists()


@pytest.mark.django_db
def test_the_rarer_options_reach_the_plan_and_hide_under_more_options(
    spaces: list[VacantSpace], operator: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    html = operator.get(HOME).content.decode()
    more = re.search(r'<details class="more-options" id="more-options">(.*?)</details>', html, re.S)
    assert more, "no closed 'More options' group"
    for name in ("available_by", "zone_kind", "include_existing_hubs", "order_weight", "orders_days"):
        assert f'name="{name}"' in more[1], name
    assert re.search(r'<input type="checkbox" name="include_existing_hubs"[^>]*checked', html)
    plan = run_plan(
        operator,
        django_capture_on_commit_callbacks,
        p="1",
        curve_up_to="0",
        available_by="2030-01-01",
        zone_kind="popup",
        include_existing_hubs=None,  # unticked
        order_weight="value",
        orders_days="14",
        orders_per_household_day="0.1",
    )
    assert plan.parameters["available_by"] == "2030-01-01"
    assert plan.parameters["zone_kind"] == "popup"
    assert plan.parameters["include_existing_hubs"] is False
    assert plan.parameters["order_weight"] == "value"
    assert plan.parameters["orders_days"] == 14
    assert plan.parameters["orders_per_household_day"] == 0.1
    # A refused rare option opens the group.
    response = operator.post(HOME, plan_form(orders_days="999"))
    assert response.status_code == 422
    assert '<details class="more-options" id="more-options" open>' in response.content.decode()


@pytest.mark.django_db
def test_the_form_starts_from_the_service_s_defaults(
    operator: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import fields

    from hyperlocal.planning.services.parameters import PlanParameters

    capacitated = next(f for f in fields(PlanParameters) if f.name == "capacitated")
    for default in (True, False):
        monkeypatch.setattr(capacitated, "default", default)
        html = operator.get(HOME).content.decode()
        ticked = re.search(r'<input type="checkbox" name="capacitated"[^>]*checked', html)
        assert bool(ticked) is default


@pytest.mark.django_db
def test_the_same_request_id_sent_twice_makes_one_plan(
    spaces: list[VacantSpace], operator: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    first = run_plan(operator, django_capture_on_commit_callbacks)
    second = run_plan(operator, django_capture_on_commit_callbacks)
    assert first.pk == second.pk
    assert SitePlan.objects.count() == 1


# -- each status of a plan's page ---------------------------------------------------------------


def stored_plan(world: World, status: str, **fields: Any) -> SitePlan:
    region = Region.objects.get(level=Region.Level.DISTRICT)
    params = {"region_code": region.code, "model": "mclp", "p": 2, "promise_minutes": 15.0, "mode": "bike"}
    return SitePlan.objects.create(region=region, parameters=params, status=status, **fields)


def small_result(status: str, **changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "model": "mclp", "status": status, "optimal": status == "optimal", "gap": None, "objective": 10.0,
        "seconds": 0.4, "message": "", "parameters": {},
        "demand": {"orders_per_day": 20.0, "households": 400.0, "cells": 2},
        "coverage": {"share": 0.5, "orders_per_day": 10.0, "households": 200.0},
        "travel": {"p50": 4.0, "p90": 9.5},
        "rent": {"monthly_won": 9_000_000, "per_covered_household_won": 45_000},
        "sites": [{"key": "space:1", "kind": "new", "space_id": 1, "hub_slug": None, "name": "Space one",
                   "address": "서울 마포구", "lat": 37.556, "lng": 126.903, "floor_area_m2": 240,
                   "monthly_rent_won": 9_000_000, "capacity_per_day": 260.0, "orders_per_day": 10.0,
                   "households": 200.0, "cells": 1, "can_community": True, "can_popup": False,
                   "can_stay": False}],
        "cells": [{"cell": cell_of(Point(37.556, 126.903), 9), "orders_per_day": 10.0, "households": 200.0,
                   "site": "space:1", "minutes": 1.0},
                  {"cell": cell_of(Point(37.579, 126.889), 9), "orders_per_day": 10.0, "households": 200.0,
                   "site": None, "minutes": None}],
        "curve": [],
    }  # fmt: skip
    result.update(changes)
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_pending_plan_polls_its_progress(world: World, operator: Client, status: str) -> None:
    plan = stored_plan(world, status, progress="solving (40%)" if status == "running" else "")
    html = operator.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert 'id="plan-progress"' in html
    assert f'hx-get="/planning/plans/{plan.pk}/?part=progress"' in html
    assert 'hx-trigger="every 1s"' in html
    if status == "running":
        assert "solving (40%)" in html
    part = operator.get(f"/planning/plans/{plan.pk}/?part=progress", HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert part.content.decode().lstrip().startswith('<div id="plan-progress"')
    # Once done, the poll asks the browser to load the whole page (with the map).
    SitePlan.objects.filter(pk=plan.pk).update(status="done", result=small_result("optimal"))
    part = operator.get(f"/planning/plans/{plan.pk}/?part=progress", HTTP_HX_REQUEST="true")
    assert part["HX-Refresh"] == "true"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "changes", "words"),
    [
        ("optimal", {}, "Optimal"),
        ("time_limit_with_plan", {"gap": 0.0123}, "within 1.23 % of the optimum"),
        (
            "time_limit_no_plan",
            {"sites": [], "message": "no plan within 5 s"},
            "No plan found within the time limit",
        ),
        ("infeasible", {"sites": [], "message": "the rent budget of 0 won pays for no site"}, "Infeasible"),
        ("heuristic", {}, "Heuristic plan"),
    ],
)
def test_a_done_plan_says_how_good_it_is(
    world: World, operator: Client, status: str, changes: dict[str, Any], words: str
) -> None:
    result = small_result(status, **changes)
    plan = stored_plan(world, "done", result=result)
    response = operator.get(f"/planning/plans/{plan.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert words in html
    if result["message"]:
        assert result["message"] in html
    assert "50.0 %" in html
    assert "45,000원" in html
    assert "4.0 / 9.5" in html


@pytest.mark.django_db
def test_a_site_over_its_capacity_is_marked(world: World, operator: Client) -> None:
    result = small_result("optimal")
    fine = stored_plan(world, "done", result=result)
    assert '<small class="over-capacity"' not in operator.get(f"/planning/plans/{fine.pk}/").content.decode()
    result["sites"][0] |= {"orders_per_day": 400.0, "over_capacity": True}
    over = stored_plan(world, "done", result=result)
    html = operator.get(f"/planning/plans/{over.pk}/").content.decode()
    assert '<small class="over-capacity"' in html
    assert "capacity 260" in html


@pytest.mark.django_db
def test_a_pending_plan_can_be_cancelled_by_its_planner(
    world: World, operator: Client, admin: Client
) -> None:
    user = User.objects.get(username="planner-op")
    plan = stored_plan(world, "queued", requested_by=user)
    html = operator.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert 'id="cancel-plan"' in html
    other = english(Client(), planner("colleague", Role.HUB_OPERATOR))
    world.hub.operators.add(User.objects.get(username="colleague"))
    assert 'id="cancel-plan"' not in other.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert other.post(f"/planning/plans/{plan.pk}/", {"action": "cancel"}).status_code == 403
    response = operator.post(f"/planning/plans/{plan.pk}/", {"action": "cancel"}, follow=True)
    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.status, plan.error) == ("failed", "cancelled by planner-op")
    html = response.content.decode()
    assert "The plan is cancelled." in html
    assert "cancelled by planner-op" in html
    # Running: it stops at its next step; the page says so.
    running = stored_plan(world, "running", requested_by=user)
    html = admin.post(f"/planning/plans/{running.pk}/", {"action": "cancel"}, follow=True).content.decode()
    assert "The plan stops at its next step." in html
    assert 'id="plan-cancelling"' in html
    assert 'id="cancel-plan"' not in html
    # Finished meanwhile: said, not a crash.
    done = stored_plan(world, "done", result=small_result("optimal"), requested_by=user)
    html = operator.post(f"/planning/plans/{done.pk}/", {"action": "cancel"}, follow=True).content.decode()
    assert "Not cancelled:" in html


@pytest.mark.django_db
def test_a_plan_that_never_reached_a_worker_says_so(world: World, operator: Client) -> None:
    from datetime import timedelta

    plan = stored_plan(world, "queued", created_at=timezone.now() - timedelta(minutes=3))
    part = operator.get(f"/planning/plans/{plan.pk}/?part=progress", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-wait="not_handed_over"' in part
    SitePlan.objects.filter(pk=plan.pk).update(
        task_id="job-1", created_at=timezone.now() - timedelta(minutes=9)
    )
    html = operator.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "The plan has waited 9 minutes for a worker" in html


@pytest.mark.django_db
def test_operators_see_only_their_district_s_plans(world: World, operator: Client) -> None:
    mapo_plan = stored_plan(world, "done", result=small_result("optimal"), summary={"coverage_share": 0.5})
    seodaemun = Region.objects.create(code="11410", name_ko="서대문구", level=Region.Level.DISTRICT)
    elsewhere_user = planner("seodaemun-op", Role.HUB_OPERATOR)
    hub = Hub.objects.create(
        name="Sinchon", slug="sinchon", region=seodaemun, address="Sinchon-ro", lat=37.56, lng=126.94,
        cell=world.hub.cell, floor_area_m2=200, status=Hub.Status.PLANNED,
    )  # fmt: skip
    hub.operators.add(elsewhere_user)
    elsewhere = english(Client(), elsewhere_user)
    theirs = SitePlan.objects.create(
        region=seodaemun, parameters={"region_code": "11410", "model": "mclp"}, status="queued"
    )
    assert elsewhere.get(f"/planning/plans/{mapo_plan.pk}/").status_code == 404
    assert elsewhere.get(f"/planning/plans/{mapo_plan.pk}/plan.csv").status_code == 404
    html = elsewhere.get(HOME).content.decode()
    assert f'href="/planning/plans/{theirs.pk}/"' in html
    assert f'href="/planning/plans/{mapo_plan.pk}/"' not in html
    assert 'value="11410"' in html  # their district is the form's
    home = operator.get(HOME).content.decode()
    assert f'href="/planning/plans/{mapo_plan.pk}/"' in home
    assert "50.0 % covered" in home  # from the summary: the list does not load results
    assert f'href="/planning/plans/{theirs.pk}/"' not in home
    assert elsewhere.get(RULE, {"region": "11440"}).status_code == 404


@pytest.mark.django_db
def test_a_failed_plan_shows_its_error(world: World, operator: Client) -> None:
    plan = stored_plan(world, "failed", error="p (9) is more than the 4 candidate spaces")
    html = operator.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "p (9) is more than the 4 candidate spaces" in html
    assert operator.get(f"/planning/plans/{plan.pk}/plan.csv").status_code == 409


@pytest.mark.django_db
def test_an_unknown_plan_is_404(world: World, operator: Client) -> None:
    assert operator.get("/planning/plans/999/").status_code == 404


# -- opening a site -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_opens_a_new_site_as_a_hub_with_zones(
    spaces: list[VacantSpace], admin: Client, operator: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    plan = run_plan(admin, django_capture_on_commit_callbacks)
    assert plan.status == SitePlan.Status.DONE, plan.error
    site = next(s for s in plan.result["sites"] if s["kind"] == "new")  # type: ignore[index]
    url = f"/planning/plans/{plan.pk}/open/{site['space_id']}/"
    html = admin.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert f'href="{url}"' in html
    assert "Open this site" in html
    assert operator.get(url).status_code == 403

    page = admin.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="zone-row"') >= 2  # a warehouse and a community room at least
    assert f'value="{site["name"]}"' in html

    # A bad slug is shown on its field; nothing is opened.
    response = admin.post(url, {"name": "New hub", "slug": "no spaces here", "promise_minutes": "25"})
    assert response.status_code == 422
    assert not Hub.objects.filter(vacant_space_id=site["space_id"]).exists()

    response = admin.post(
        url, {"name": "Planned hub", "slug": "planned-hub", "promise_minutes": "25", "courier_mode": "bike"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/hubs/planned-hub/"
    hub = Hub.objects.get(slug="planned-hub")
    assert hub.vacant_space_id == site["space_id"]
    assert hub.promise_minutes == 25
    kinds = set(hub.zones.values_list("kind", flat=True))
    assert Zone.Kind.WAREHOUSE in kinds
    assert Zone.Kind.COMMUNITY_ROOM in kinds
    assert hub.service_cells.exists()
    assert "Planned hub" in admin.get(response["Location"]).content.decode()

    # The plan now links the opened hub; opening it again is refused.
    html = admin.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert 'href="/hubs/planned-hub/"' in html
    again = admin.post(url, {"name": "Twice", "slug": "twice"})
    assert again.status_code == 409
    assert "already" in again.content.decode()


@pytest.mark.django_db
def test_a_space_free_only_later_opens_as_a_planned_hub(
    spaces: list[VacantSpace], admin: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    plan = run_plan(admin, django_capture_on_commit_callbacks)
    site = next(s for s in plan.result["sites"] if s["kind"] == "new")  # type: ignore[index]
    later = timezone.localdate() + timedelta(days=40)
    VacantSpace.objects.filter(pk=site["space_id"]).update(available_from=later)
    site["available_from"] = later.isoformat()  # as a plan made now would say
    SitePlan.objects.filter(pk=plan.pk).update(result=plan.result)
    url = f"/planning/plans/{plan.pk}/open/{site['space_id']}/"
    html = admin.get(url).content.decode()
    assert later.isoformat() in html
    assert "it opens as a planned hub" in html
    response = admin.post(url, {"name": "Later hub", "slug": "later-hub"}, follow=True)
    hub = Hub.objects.get(slug="later-hub")
    assert hub.status == Hub.Status.PLANNED
    assert "is a planned hub: set it open once the space is free on" in response.content.decode()


@pytest.mark.django_db
def test_a_space_the_plan_did_not_choose_is_404(world: World, admin: Client) -> None:
    plan = stored_plan(world, "done", result=small_result("optimal"))
    assert admin.get(f"/planning/plans/{plan.pk}/open/2/").status_code == 404
    pending = stored_plan(world, "running")
    assert admin.get(f"/planning/plans/{pending.pk}/open/1/").status_code == 404


# -- the zone split rule ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_zone_rule_page_shows_and_changes_the_rule(world: World, operator: Client) -> None:
    html = operator.get(RULE).content.decode()
    assert 'id="rule-warehouse">55 %' in html
    assert "default" in html
    district = Region.objects.get(level=Region.Level.DISTRICT)
    data = {"region": district.code, "warehouse_pct": "60", "community_pct": "15", "popup_pct": "10",
            "stay_pct": "10", "popup_bay_m2": "25", "stay_room_m2": "18",
            "orders_per_warehouse_m2": "2.5"}  # fmt: skip
    response = operator.post(RULE, data)
    assert response.status_code == 302
    rule = ZoneSplitRule.objects.get(region=district)
    assert (rule.warehouse_bp, rule.community_bp, rule.popup_bay_m2, rule.orders_per_warehouse_m2) == (
        6000,
        1500,
        25,
        2.5,
    )
    html = operator.get(response["Location"]).content.decode()
    assert 'id="rule-warehouse">60 %' in html

    too_much = operator.post(RULE, {**data, "warehouse_pct": "90"})
    assert too_much.status_code == 422
    assert "fit" in too_much.content.decode() or "floor" in too_much.content.decode()
    assert ZoneSplitRule.objects.get(region=district).warehouse_bp == 6000


@pytest.mark.django_db
def test_the_planner_pages_read_korean(
    spaces: list[VacantSpace], world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    user = planner("korean-admin", Role.PLATFORM_ADMIN)
    client = Client()
    client.force_login(user)
    html = client.get(HOME).content.decode()
    assert "입지 계획" in html
    assert "더 많은 옵션" in html
    assert "운영 중인 허브를 이미 있는 거점으로 포함" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(HOME, plan_form())
    plan = SitePlan.objects.get()
    html = client.get(f"/planning/plans/{plan.pk}/").content.decode()
    assert "이 자리에 허브 열기" in html
