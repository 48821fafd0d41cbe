"""The planning API: a plan is asked for (202, queued), read back once the job has run, made
idempotent by a request id (200 for a repeat, 409 for another body), refused with 422 naming
the field; exports; opening a chosen space (201); the zone rule; the spaces."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client

from hyperlocal.accounts.models import User
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import SitePlan, ZoneSplitRule
from hyperlocal.regions.models import Region
from tests.planning.plan_helpers import (
    BASE,
    SmallWorld,
    bearer,
    done_plan,
    operator,
    platform_admin,
    resident,
    site_json,
    small_world,
)

PLANS = "/api/planning/plans"


@pytest.fixture
def world(mapo: Region) -> SmallWorld:
    return small_world()


@pytest.fixture
def planner(db: None) -> User:
    return operator()


def send(client: Client, method: str, url: str, body: Any, user: User, **headers: str) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", **bearer(user), **headers
    )


def test_a_plan_is_queued_then_read_back_done(
    client: Client, world: SmallWorld, planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, "post", PLANS, BASE | {"p": 1, "curve_up_to": 2}, planner)
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["status"] == "queued"
    assert body["result"] is None
    assert body["parameters"]["p"] == 1
    assert body["requested_by"] == planner.username
    got = client.get(f"{PLANS}/{body['id']}", **bearer(planner))
    assert got.status_code == 200
    plan = got.json()
    assert plan["status"] == "done", plan["error"]
    assert plan["new_sites"] == 1
    assert 0 < plan["coverage_share"] <= 1
    assert [row["p"] for row in plan["result"]["curve"]] == [1, 2]
    listed = client.get(PLANS, **bearer(planner)).json()
    assert [p["id"] for p in listed] == [body["id"]]
    assert "result" not in listed[0]


def test_a_request_id_makes_a_retry_safe(
    client: Client, world: SmallWorld, planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        first = send(client, "post", PLANS, BASE | {"p": 2}, planner, HTTP_IDEMPOTENCY_KEY="k-1")
        again = send(client, "post", PLANS, BASE | {"p": 2, "request_id": "k-1"}, planner)
        other = send(client, "post", PLANS, BASE | {"p": 1}, planner, HTTP_IDEMPOTENCY_KEY="k-1")
        mismatch = send(
            client, "post", PLANS, BASE | {"request_id": "k-2"}, planner, HTTP_IDEMPOTENCY_KEY="k-3"
        )
    assert first.status_code == 202
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert other.json()["field"] == "request_id"
    assert mismatch.status_code == 422
    assert SitePlan.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"p": 0}, "p"),
        ({"promise_minutes": -1}, "promise_minutes"),
        ({"target": 1.5, "model": "set_cover"}, "target"),
        ({"model": "magic"}, "model"),
        ({"p": "three"}, "p"),
        ({"colour": "red"}, "colour"),
        ({"region_code": "99999"}, "region_code"),
        ({"growth": {"11440": 0}}, "growth"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(
    client: Client, world: SmallWorld, planner: User, body: dict[str, Any], field: str
) -> None:
    response = send(client, "post", PLANS, BASE | body, planner)
    assert response.status_code == 422, response.json()
    assert response.json()["field"] == field
    assert not SitePlan.objects.exists()


def test_who_may_plan(client: Client, world: SmallWorld) -> None:
    assert client.post(PLANS, data="{}", content_type="application/json").status_code == 401
    someone = resident()
    assert send(client, "post", PLANS, BASE, someone).status_code == 403
    assert client.get(PLANS, **bearer(someone)).status_code == 403
    plan = done_plan([], [])
    assert client.get(f"{PLANS}/{plan.pk}", **bearer(someone)).status_code == 403
    assert client.get(f"{PLANS}/{plan.pk + 1}", **bearer(operator())).status_code == 404


def test_exports(client: Client, world: SmallWorld, planner: User) -> None:
    plan = done_plan(
        [site_json(world.spaces[0])],
        [
            {
                "cell": world.a,
                "orders_per_day": 5.0,
                "households": 100.0,
                "site": f"space:{world.spaces[0].pk}",
                "minutes": 4.0,
            }
        ],
    )
    response = client.get(f"{PLANS}/{plan.pk}/plan.csv", **bearer(planner))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"site-plan-{plan.pk}.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["name"] for r in rows] == ["Seogyo Corner"]
    geo = client.get(f"{PLANS}/{plan.pk}/plan.geojson", **bearer(planner))
    assert geo.status_code == 200
    assert [f["geometry"]["type"] for f in geo.json()["features"]] == ["Point", "Polygon"]
    queued = SitePlan.objects.create(region=plan.region, parameters=plan.parameters)
    for suffix in ("plan.csv", "plan.geojson"):
        assert client.get(f"{PLANS}/{queued.pk}/{suffix}", **bearer(planner)).status_code == 409


def test_opening_a_chosen_space(client: Client, world: SmallWorld, planner: User) -> None:
    plan = done_plan([site_json(world.spaces[0])], [])
    url = f"{PLANS}/{plan.pk}/open"
    body = {"space_id": world.spaces[0].pk, "slug": "seogyo", "promise_minutes": 20}
    assert send(client, "post", url, body, planner).status_code == 403
    admin = platform_admin()
    response = send(client, "post", url, body, admin)
    assert response.status_code == 201, response.json()
    hub = response.json()
    assert (hub["slug"], hub["name"], hub["promise_minutes"]) == ("seogyo", "Seogyo Corner", 20)
    assert {z["kind"] for z in hub["zones"]} >= {"warehouse"}
    assert hub["service_area"]["cells"] > 0
    again = send(client, "post", url, body | {"slug": "seogyo-2"}, admin)
    assert again.status_code == 409
    assert again.json()["code"] == "already_a_hub"
    not_chosen = send(client, "post", url, {"space_id": world.spaces[2].pk}, admin)
    assert not_chosen.status_code == 422
    assert not_chosen.json()["field"] == "space_id"
    assert send(client, "post", url, {"space_id": world.spaces[0].pk, "extra": 1}, admin).status_code == 422
    assert Hub.objects.filter(vacant_space__isnull=False).count() == 1  # (the operator's own is planned)


def test_the_zone_rule(client: Client, world: SmallWorld, planner: User) -> None:
    url = "/api/planning/zone-rule"
    got = client.get(url, {"region": "1144066000"}, **bearer(planner))
    assert got.status_code == 200
    assert got.json()["saved"] is False
    assert got.json()["region"] == "11440"  # the dong's district
    put = send(client, "put", url, {"region": "11440", "warehouse_bp": 6000, "stay_bp": 500}, planner)
    assert put.status_code == 200, put.json()
    assert (put.json()["saved"], put.json()["warehouse_bp"], put.json()["stay_bp"]) == (True, 6000, 500)
    assert ZoneSplitRule.objects.get().warehouse_bp == 6000
    bad = send(client, "put", url, {"region": "11440", "warehouse_bp": 9900}, planner)
    assert bad.status_code == 422
    assert ZoneSplitRule.objects.get().warehouse_bp == 6000
    unknown = client.get(url, {"region": "99999"}, **bearer(planner))
    assert (unknown.status_code, unknown.json()["field"]) == (422, "region")
    assert send(client, "put", url, {"region": "11440", "stay_bp": 0}, resident()).status_code == 403


def test_the_spaces(client: Client, world: SmallWorld, planner: User) -> None:
    response = client.get("/api/planning/spaces", {"region": "11440"}, **bearer(planner))
    assert response.status_code == 200
    assert sorted(s["name"] for s in response.json()) == ["Hongdae Basement", "Seogyo Corner", "Wausan Lane"]
    assert all(s["is_hub"] is False for s in response.json())
    assert client.get("/api/planning/spaces", **bearer(resident())).status_code == 403


def test_p_above_the_spaces_and_a_long_time_limit_are_422_before_queueing(
    client: Client, world: SmallWorld, planner: User
) -> None:
    too_many = send(client, "post", PLANS, BASE | {"p": 4}, planner)
    assert too_many.status_code == 422
    assert too_many.json()["field"] == "p"
    assert "3 vacant space" in too_many.json()["detail"]
    too_long = send(client, "post", PLANS, BASE | {"time_limit_seconds": 1200}, planner)
    assert (too_long.status_code, too_long.json()["field"]) == (422, "time_limit_seconds")
    assert not SitePlan.objects.exists()


def test_a_plan_is_cancelled(
    client: Client, world: SmallWorld, planner: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        plan = send(client, "post", PLANS, BASE | {"p": 1}, planner).json()
    url = f"{PLANS}/{plan['id']}/cancel"
    assert send(client, "post", url, {}, operator("colleague")).status_code == 403
    response = send(client, "post", url, {}, planner)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["error"]) == ("failed", "cancelled by operator")
    assert body["cancel_requested_at"] is not None
    again = send(client, "post", url, {}, planner)
    assert (again.status_code, again.json()["code"]) == (409, "plan_finished")
    assert send(client, "post", f"{PLANS}/{plan['id'] + 9}/cancel", {}, planner).status_code == 404


def test_lists_show_the_summary_not_the_result(client: Client, world: SmallWorld, planner: User) -> None:
    plan = done_plan([site_json(world.spaces[0])], [])
    listed = client.get(PLANS, **bearer(planner)).json()
    assert [(p["id"], p["coverage_share"], p["new_sites"], p["monthly_rent_won"]) for p in listed] == [
        (plan.pk, 0.8, 1, 1_000_000)
    ]
    # The list reads the summary: a result changed behind its back does not show.
    SitePlan.objects.filter(pk=plan.pk).update(result={**(plan.result or {}), "sites": []})
    assert client.get(PLANS, **bearer(planner)).json()[0]["new_sites"] == 1


@pytest.fixture
def seodaemun(mapo: Region) -> Region:
    return Region.objects.create(code="11410", name_ko="서대문구", level=Region.Level.DISTRICT)


def test_operators_reach_only_their_district(client: Client, world: SmallWorld, seodaemun: Region) -> None:
    mapo_op = operator("mapo-op")
    other = operator("seodaemun-op", district="11410")
    plan = done_plan([site_json(world.spaces[0])], [], user=mapo_op)
    for url in (f"{PLANS}/{plan.pk}", f"{PLANS}/{plan.pk}/plan.csv", f"{PLANS}/{plan.pk}/plan.geojson"):
        assert client.get(url, **bearer(mapo_op)).status_code == 200, url
        assert client.get(url, **bearer(other)).status_code == 404, url
    assert client.get(PLANS, **bearer(other)).json() == []
    assert [p["id"] for p in client.get(PLANS, **bearer(mapo_op)).json()] == [plan.pk]
    asked = send(client, "post", PLANS, BASE, other)
    assert (asked.status_code, asked.json()["field"]) == (403, "region_code")
    rule = "/api/planning/zone-rule"
    assert client.get(rule, {"region": "11440"}, **bearer(other)).status_code == 403
    assert client.get(rule, {"region": "11410"}, **bearer(other)).status_code == 200
    assert send(client, "put", rule, {"region": "1144066000", "stay_bp": 0}, other).status_code == 403
    assert not ZoneSplitRule.objects.exists()
    spaces = "/api/planning/spaces"
    assert client.get(spaces, {"region": "11440"}, **bearer(other)).status_code == 403
    assert client.get(spaces, **bearer(other)).json() == []  # none in their district
    assert len(client.get(spaces, **bearer(mapo_op)).json()) == 3
    assert len(client.get(spaces, **bearer(platform_admin())).json()) == 3


def test_a_plan_without_a_region_is_for_the_operator_s_own_district(
    client: Client, world: SmallWorld, seodaemun: Region, planner: User
) -> None:
    # Seodaemun (11410) is the first district; the operator plans only Mapo (11440).
    body = {k: v for k, v in BASE.items() if k != "region_code"} | {"p": 1}
    response = send(client, "post", PLANS, body, planner)
    assert response.status_code == 202, response.json()
    assert (response.json()["region"], response.json()["parameters"]["region_code"]) == ("11440", "11440")


def test_the_openapi_says_what_the_plan_s_defaults_are(db: None) -> None:
    spec = Client().get("/api/openapi.json").json()
    fields = spec["components"]["schemas"]["PlanIn"]["properties"]
    assert fields["orders_share"]["description"] == (
        "blend: how far each area's rate follows its orders, 0..1 (default 0.5): households set "
        "the level, orders where hubs deliver shape it"
    )
    assert "on by default" in fields["capacitated"]["description"]
    assert "your own district" in fields["region_code"]["description"]
