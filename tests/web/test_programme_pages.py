"""The programme admin's page: the dashboard of their own region's programme, the rules form,
grants by username or id, and the "run settlement now" button. Admins of other regions and
everyone else get 403; a refused form shows why and writes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import Programme, ProgrammeAdmin, Settlement, VoucherGrant, Wallet
from hyperlocal.wallet.services import buy_vouchers, wallet_for
from tests.factories import UserFactory
from tests.wallet.test_api import everything, spend
from tests.web.conftest import english
from tests.web.test_wallet_pages import open_mapo_love
from tests.web.world import World

PAGE = "/programme/"


@pytest.fixture
def programme(mapo: Region) -> Programme:
    return open_mapo_love(mapo)


def programme_admin(region: Region, username: str) -> User:
    user = UserFactory(username=username)
    grant_role(user, Role.PROGRAMME_ADMIN)
    ProgrammeAdmin.objects.create(user=user, region=region)
    return user


@pytest.fixture
def admin(programme: Programme) -> Client:
    return english(Client(), programme_admin(programme.region, "mapo-admin"))


@pytest.fixture
def outsider(programme: Programme) -> Client:
    seodaemun = Region.objects.create(code="11410", name_ko="서대문구", level=Region.Level.DISTRICT)
    return english(Client(), programme_admin(seodaemun, "seodaemun-admin"))


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, name
    return found.group(1)


def rules(**changes: Any) -> dict[str, Any]:
    data = {
        "name_ko": "마포사랑상품권",
        "name_en": "Mapo Love Voucher",
        "is_active": "on",
        "monthly_purchase_cap_won": "700000",
        "benefit_pct": "10",
        "purchase_unit_won": "10000",
        "monthly_cashback_cap_won": "0",
        "validity_months": "60",
        "refund_threshold_pct": "60",
        "excluded_categories": ["entertainment"],
        "bought_revenue_cap": "300m_1b",
        "settlement_fee_pct": "1",
        "settlement_every_days": "1",
    }
    return {**data, **changes}


def test_the_dashboard_shows_the_programmes_figures(
    programme: Programme, world: World, admin: Client
) -> None:
    now = timezone.now()
    with transaction.atomic():
        buy_vouchers(world.resident, programme, 200_000, request_id="a", payment_token="tok_test_ok", now=now)
    wallet = wallet_for(world.resident, programme, "bought", now=now)
    spend(wallet, 50_000)
    spend(wallet, 7_000, 2, post=False)
    response = admin.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="nav-programme"' in html
    assert "Mapo Love Voucher" in html
    kpis = dict(re.findall(r'id="kpi-(\w+)"><span class="n">([^<]+)</span>', html))
    assert kpis == {
        "issued": "200,000원",
        "outstanding": "150,000원",
        "held": "7,000원",
        "redeemed": "50,000원",
        "local": "100.0 %",
        "benefit": "20,000원",
    }
    assert re.search(r'id="owed">50,000원<', html)
    assert "Grocery" in html  # redeemed by category
    assert "Run settlement now" in html


def test_only_the_regions_admins_may_see_or_change_it(
    programme: Programme, world: World, outsider: Client
) -> None:
    resident = english(Client(), world.resident)
    assert outsider.get(PAGE).status_code == 403
    assert resident.get(PAGE).status_code == 403
    before = everything()
    for client in (outsider, resident):
        assert client.post(reverse("web:programme_rules", args=["mapo-love"]), rules()).status_code == 403
        grant = {"recipients": world.resident.username, "face_won": "10000", "request_id": "g"}
        assert client.post(reverse("web:programme_grant", args=["mapo-love"]), grant).status_code == 403
        assert (
            client.post(reverse("web:programme_settle", args=["mapo-love"]), {"run_id": "r"}).status_code
            == 403
        )
    assert everything() == before
    assert Client().get(PAGE).status_code == 302  # to the login page


def test_the_rules_form_changes_the_rules(programme: Programme, admin: Client) -> None:
    response = admin.post(reverse("web:programme_rules", args=["mapo-love"]), rules(benefit_pct="7.5"))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.benefit_bp, programme.settlement_fee_bp, programme.refund_threshold_bp) == (
        750,
        100,
        6000,
    )
    html = admin.get(PAGE).content.decode()
    assert "The rules of Mapo Love Voucher are changed." in html
    assert "7.5 % discount: pay 92,500 won, receive 100,000 won of vouchers." in html


def test_pausing_the_programme_and_a_new_cap(programme: Programme, world: World, admin: Client) -> None:
    paused = rules(monthly_purchase_cap_won="500000")
    del paused["is_active"]  # an unticked box is not sent
    assert admin.post(reverse("web:programme_rules", args=["mapo-love"]), paused).status_code == 302
    programme.refresh_from_db()
    assert (programme.is_active, programme.monthly_purchase_cap_won) == (False, 500_000)
    html = english(Client(), world.resident).get("/wallet/").content.decode()
    assert "No voucher programme is open now." in html
    assert admin.post(reverse("web:programme_rules", args=["mapo-love"]), rules()).status_code == 302
    programme.refresh_from_db()
    assert (programme.is_active, programme.monthly_purchase_cap_won) == (True, 700_000)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"monthly_purchase_cap_won": "5000"}, "the monthly purchase cap must be at least one purchase unit"),
        ({"name_ko": ""}, "This field is required."),
        ({"benefit_pct": "60"}, "benefit_bp must be a whole number from 0 to 5000"),
        ({"settlement_every_days": "40"}, "settlement_every_days must be a whole number from 1 to 31"),
        ({"benefit_pct": "10.005"}, "Ensure that there are no more than 2 decimal places."),
        ({"validity_months": "x"}, "Enter a whole number."),
    ],
)
def test_bad_rules_are_refused_on_the_page(
    programme: Programme, admin: Client, changes: dict[str, str], words: str
) -> None:
    before = everything()
    response = admin.post(reverse("web:programme_rules", args=["mapo-love"]), rules(**changes))
    assert response.status_code == 422
    assert words in response.content.decode()
    assert everything() == before


def test_grants_by_username_or_id_reach_each_resident_once(
    programme: Programme, world: World, admin: Client
) -> None:
    other = UserFactory(username="jiwoo")
    html = admin.get(PAGE).content.decode()
    form = {
        "recipients": f"{world.resident.username}, {other.pk}",
        "face_won": "50000",
        "batch": "",
        "request_id": field(html[html.find('id="grant-form"') :], "request_id"),
    }
    done = admin.post(reverse("web:programme_grant", args=["mapo-love"]), form)
    assert done.status_code == 302
    assert "Granted 50,000 won to 2 residents" in admin.get(PAGE).content.decode()
    assert sorted(Wallet.objects.filter(kind="policy").values_list("user__username", flat=True)) == [
        "jiwoo",
        world.resident.username,
    ]
    before = everything()
    again = admin.post(reverse("web:programme_grant", args=["mapo-love"]), form)  # a double submit
    assert again.status_code == 302
    assert "2 listed residents already had batch" in admin.get(PAGE).content.decode()
    assert everything() == before
    assert VoucherGrant.objects.count() == 2


@pytest.mark.parametrize(
    ("form", "status", "words"),
    [
        ({"recipients": "nobody-here", "face_won": "10000"}, 422, "No active user nobody-here."),
        ({"recipients": "minji", "face_won": "0"}, 422, "face_won must be a whole number of won from 1"),
        ({"recipients": "minji", "face_won": "-5"}, 422, "face_won must be a whole number of won from 1"),
        ({"recipients": " ", "face_won": "10000"}, 422, "This field is required."),
    ],
)
def test_bad_grants_grant_nothing(
    programme: Programme, world: World, admin: Client, form: dict[str, str], status: int, words: str
) -> None:
    before = everything()
    response = admin.post(reverse("web:programme_grant", args=["mapo-love"]), {**form, "request_id": "g1"})
    assert response.status_code == status
    assert words in response.content.decode()
    assert everything() == before


def test_a_batch_granted_again_with_another_amount_is_refused(
    programme: Programme, world: World, admin: Client
) -> None:
    form = {"recipients": world.resident.username, "face_won": "10000", "batch": "spring", "request_id": "a"}
    assert admin.post(reverse("web:programme_grant", args=["mapo-love"]), form).status_code == 302
    before = everything()
    response = admin.post(
        reverse("web:programme_grant", args=["mapo-love"]), {**form, "face_won": "20000", "request_id": "b"}
    )
    assert response.status_code == 409
    assert "use a new batch name" in response.content.decode()
    assert everything() == before


def test_run_settlement_now_pays_merchants_once(programme: Programme, world: World, admin: Client) -> None:
    now = timezone.now()
    with transaction.atomic():
        buy_vouchers(world.resident, programme, 100_000, request_id="a", payment_token="tok_test_ok", now=now)
    spend(wallet_for(world.resident, programme, "bought", now=now), 33_350)
    html = admin.get(PAGE).content.decode()
    run_id = field(html, "run_id")
    assert run_id.startswith("mapo-love/")
    done = admin.post(reverse("web:programme_settle", args=["mapo-love"]), {"run_id": run_id})
    assert done.status_code == 302
    page = admin.get(PAGE).content.decode()
    # 1 % of 33,350 is 333.5, rounded half up: 334 won fee.
    assert "1 merchant paid 33,016 won (33,350 won of sales less 334 won of fees)." in page
    before = everything()
    again = admin.post(reverse("web:programme_settle", args=["mapo-love"]), {"run_id": run_id})
    assert again.status_code == 302
    assert "was already run" in admin.get(PAGE).content.decode()
    assert everything() == before
    assert Settlement.objects.count() == 1
    bad = admin.post(reverse("web:programme_settle", args=["mapo-love"]), {"run_id": "x" * 65})
    assert bad.status_code == 422
    assert everything() == before
