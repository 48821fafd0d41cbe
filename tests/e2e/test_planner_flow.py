"""Site planning's "done when", in a real browser: on a small seeded city (Mapo-gu, one open
hub, four vacant spaces) a platform admin opens the planner from the navigation, asks for a
maximal covering plan with a comparison up to p = 3, sees the proposed sites on the map
(numbered markers, covered cells), the figures and the p-curve, opens one new site as a hub
and lands on the hub's page with its zones and service area. A hub operator plans too but is
offered no "open this site"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services import clean_parameters
from hyperlocal.planning.services.plans import execute_plan
from tests.e2e.test_order_flow import log_in, watch
from tests.factories import UserFactory
from tests.web.test_planning_pages import make_spaces
from tests.web.world import World


def ask_for_a_plan(page: Page, base: str) -> SitePlan:
    page.click("#nav-planning")
    page.wait_for_url(f"{base}/planning/")
    form = page.locator("#plan-form")
    form.locator("select[name=model]").select_option("mclp")
    form.locator("input[name=p]").fill("2")
    form.locator("input[name=promise_minutes]").fill("12")
    form.locator("#more-options summary").click()  # the rarer options are folded away
    form.locator("select[name=demand_source]").select_option("population")
    form.locator("input[name=curve_up_to]").fill("3")
    form.locator("#run-plan").click()
    page.wait_for_url(re.compile(r"/planning/plans/\d+/$"))
    plan = SitePlan.objects.order_by("-pk").first()
    assert plan is not None
    return plan


@pytest.mark.browser
def test_admin_plans_sites_sees_them_on_the_map_and_opens_one_as_a_hub(
    live_server: LiveServer, world: World, page: Page
) -> None:
    spaces = make_spaces()
    admin = UserFactory(username="planner-admin")
    grant_role(admin, Role.PLATFORM_ADMIN)
    base = live_server.url
    failed: list[str] = []
    watch(page, failed)

    log_in(page, base, admin.username)
    plan = ask_for_a_plan(page, base)
    # Jobs run at once in tests: the page shows the finished plan (a worker would be polled).
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#map[data-ready=true]")).to_be_visible()
    expect(page.locator(".site-marker.new-site")).to_have_count(2)
    expect(page.locator(".site-marker.existing-hub")).to_have_count(1)
    assert page.locator("path.site-cells").count() >= 2
    expect(page.locator("#kpi-coverage")).to_contain_text("%")
    expect(page.locator("#curve-table tbody tr")).to_have_count(3)
    expect(page.locator("svg.p-curve circle.dot")).to_have_count(3)

    # A marker's popup names the site and offers to open it.
    page.locator(".site-marker.new-site").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("orders a day")
    expect(popup.get_by_role("link", name="Open this site")).to_be_visible()

    # Open the first new site from the table: the zone preview, then the hub page.
    page.locator(".site-row[data-kind=new] .open-site").first.click()
    page.wait_for_url(re.compile(rf"/planning/plans/{plan.pk}/open/\d+/$"))
    expect(page.locator(".zone-row[data-kind=warehouse]")).to_have_count(1)
    page.fill("#id_name", "Planned Hub")
    page.fill("#id_slug", "planned-hub")
    page.click("#open-hub")
    page.wait_for_url(f"{base}/hubs/planned-hub/")
    expect(page.locator("h1")).to_contain_text("Planned Hub")
    expect(page.locator(".messages")).to_contain_text("Planned Hub is open as a hub.")
    expect(page.locator("#map[data-ready=true]")).to_be_visible()
    hub = Hub.objects.get(slug="planned-hub")
    assert hub.vacant_space_id in {space.pk for space in spaces}
    assert hub.zones.count() >= 2

    # Back on the plan, the site is marked opened.
    page.goto(f"{base}/planning/plans/{plan.pk}/")
    expect(page.locator("a.opened[href='/hubs/planned-hub/']")).to_have_count(1)
    assert failed == []


@pytest.mark.browser
def test_an_operator_plans_but_opens_nothing(live_server: LiveServer, world: World, page: Page) -> None:
    make_spaces()
    operator = UserFactory(username="planner-op")
    grant_role(operator, Role.HUB_OPERATOR)
    world.hub.operators.add(operator)
    base = live_server.url
    failed: list[str] = []
    watch(page, failed)

    log_in(page, base, operator.username)
    ask_for_a_plan(page, base)
    expect(page.locator("#map[data-ready=true]")).to_be_visible()
    expect(page.locator(".site-marker.new-site")).to_have_count(2)
    expect(page.locator(".open-site")).to_have_count(0)
    page.locator(".site-marker.existing-hub").first.click()
    expect(page.locator(".leaflet-popup-content").get_by_role("link", name="Hub page")).to_be_visible()
    assert failed == []


@pytest.mark.browser
def test_a_running_plan_shows_its_progress_and_then_itself(
    live_server: LiveServer, world: World, page: Page
) -> None:
    """With a worker (not at once as in tests), the page polls the plan's progress and loads
    the finished plan by itself."""
    make_spaces()
    operator = UserFactory(username="planner-op")
    grant_role(operator, Role.HUB_OPERATOR)
    world.hub.operators.add(operator)
    params = {"region_code": world.hub.region.district.code, "p": 2, "demand_source": "population"}
    plan = SitePlan.objects.create(
        region=world.hub.region.district, requested_by=operator, parameters=clean_parameters(params).to_json()
    )
    base = live_server.url
    failed: list[str] = []
    watch(page, failed)

    log_in(page, base, operator.username)
    page.goto(f"{base}/planning/plans/{plan.pk}/")
    expect(page.locator("#plan-progress")).to_contain_text("waiting for a worker")
    SitePlan.objects.filter(pk=plan.pk).update(status=SitePlan.Status.RUNNING, progress="travel times (40%)")
    expect(page.locator("#plan-progress .progress-text")).to_have_text("travel times (40%)")
    SitePlan.objects.filter(pk=plan.pk).update(status=SitePlan.Status.QUEUED, progress="")
    execute_plan(plan.pk)  # what the worker does
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#map[data-ready=true]")).to_be_visible()
    expect(page.locator(".site-marker.new-site")).to_have_count(2)
    assert failed == []


@pytest.mark.browser
def test_a_planner_cancels_a_queued_plan(live_server: LiveServer, world: World, page: Page) -> None:
    make_spaces()
    operator = UserFactory(username="planner-op")
    grant_role(operator, Role.HUB_OPERATOR)
    world.hub.operators.add(operator)
    params = {"region_code": world.hub.region.district.code, "p": 2, "demand_source": "population"}
    plan = SitePlan.objects.create(
        region=world.hub.region.district, requested_by=operator, parameters=clean_parameters(params).to_json()
    )
    base = live_server.url
    failed: list[str] = []
    watch(page, failed)
    log_in(page, base, operator.username)
    page.goto(f"{base}/planning/plans/{plan.pk}/")
    page.locator("#cancel-plan button").click()
    expect(page.locator("#plan-status")).to_have_attribute("data-status", "failed")
    expect(page.locator("#plan-error")).to_contain_text("cancelled by planner-op")
    assert execute_plan(plan.pk).status == SitePlan.Status.FAILED  # the worker then runs nothing
    assert failed == []


@pytest.mark.browser
def test_space_names_from_an_import_show_as_text_on_the_map(
    live_server: LiveServer, world: World, page: Page
) -> None:
    hostile = '<img src=x onerror="window.__injected = 1">'
    for space in make_spaces():
        space.name = f"{hostile} {space.pk}"
        space.save(update_fields=["name"])
    operator = UserFactory(username="planner-op")
    grant_role(operator, Role.HUB_OPERATOR)
    world.hub.operators.add(operator)
    base = live_server.url
    log_in(page, base, operator.username)
    ask_for_a_plan(page, base)
    expect(page.locator("#map[data-ready=true]")).to_be_visible()
    page.locator("path.site-cells").first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text("<img src=x")  # shown as text, not made an element
    expect(tooltip.locator("img")).to_have_count(0)
    page.locator(".site-marker.new-site").first.click()
    expect(page.locator(".leaflet-popup-content")).to_contain_text("<img src=x")
    assert page.evaluate("window.__injected") is None
