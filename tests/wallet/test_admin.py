"""The wallet's admin pages: every list and page loads; money records are read-only; a
programme opened in the admin gets its ledger accounts; rules change through the service
(accounts and the opening fields stay); a programme admin sees their own region only; the
"Run settlement now" action settles and says what it paid."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role, grant_role
from hyperlocal.wallet.programmes import Programme, ProgrammeAdmin, Settlement
from hyperlocal.wallet.services import check_ledger
from tests.factories import UserFactory
from tests.wallet.settle_helpers import (
    district,
    grant,
    make_programme,
    make_shop,
    net,
    pay,
    resident,
    snapshot,
)

pytestmark = pytest.mark.django_db
WALLET_MODELS = [
    "ledgeraccount",
    "accountshard",
    "transfer",
    "programme",
    "programmeadmin",
    "wallet",
    "merchantaccount",
    "voucherpurchase",
    "vouchergrant",
    "voucherrefund",
    "voucherhold",
    "settlement",
]


class World:
    def __init__(self) -> None:
        self.mapo = make_programme("mapo-love", fee_bp=150)
        self.seodaemun = make_programme("seodaemun-love", region=district("11410", "서대문구"))
        self.greens = make_shop(self.mapo, "Mangwon Greens")
        self.wallet = grant(self.mapo, resident("alice"), 50_000, batch="spring")
        pay(self.wallet, self.greens, 33_333, "p1")
        other = grant(self.seodaemun, resident("bob"), 10_000, batch="spring")
        self.fruit = make_shop(self.seodaemun, "Sinchon Fruit")
        pay(other, self.fruit, 4_000, "q1")


@pytest.fixture
def world() -> World:
    with transaction.atomic():
        return World()


@pytest.fixture
def root(client: Client) -> Client:
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def mapo_admin(client: Client, world: World) -> Client:
    user: User = UserFactory(username="mapo-admin", is_staff=True)
    grant_role(user, Role.PROGRAMME_ADMIN)
    ProgrammeAdmin.objects.create(user=user, region=world.mapo.region)
    client.force_login(user)
    return client


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("model", WALLET_MODELS)
def test_every_list_loads(root: Client, world: World, model: str) -> None:
    Settlement.objects.create(programme=world.mapo, run_id="r0", period_end=world.mapo.created_at,
                              created_at=world.mapo.created_at)  # fmt: skip
    url = reverse(f"admin:wallet_{model}_changelist")
    assert root.get(url).status_code == 200
    assert root.get(url, {"q": "mapo"}).status_code == 200


def test_money_records_are_read_only(root: Client, world: World) -> None:
    for model in ("wallet", "merchantaccount", "vouchergrant", "settlement", "transfer"):
        assert root.get(reverse(f"admin:wallet_{model}_add")).status_code == 403
    page = root.get(reverse("admin:wallet_wallet_change", args=[world.wallet.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    before = snapshot()
    root.post(reverse("admin:wallet_wallet_change", args=[world.wallet.pk]), {"kind": "bought"})
    assert snapshot() == before


def programme_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "jongno-love",
        "name_ko": "종로사랑상품권",
        "region": str(district("11110", "종로구").pk),
        "benefit": "discount",
        "monthly_purchase_cap_won": "500000",
        "name_en": "Jongno Love",
        "benefit_bp": "700",
        "purchase_unit_won": "10000",
        "monthly_cashback_cap_won": "0",
        "validity_months": "60",
        "refund_threshold_bp": "6000",
        "excluded_categories": ["entertainment"],
        "bought_revenue_cap": "300m_1b",
        "settlement_fee_bp": "100",
        "settlement_every_days": "7",
    }
    data.update(overrides)
    return data


def test_a_programme_opened_in_the_admin_gets_its_accounts(root: Client) -> None:
    response = root.post(reverse("admin:wallet_programme_add"), programme_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    p = Programme.objects.get(code="jongno-love")
    assert (p.benefit_bp, p.settlement_fee_bp, p.excluded_categories) == (700, 100, ["entertainment"])
    assert p.fees_account.code == "programme/jongno-love/fees"
    assert p.float_account.shards == 16
    assert check_ledger() == []


def test_a_bad_rule_is_a_form_error_and_saves_nothing(root: Client) -> None:
    response = root.post(reverse("admin:wallet_programme_add"), programme_form(settlement_fee_bp="2000"))
    assert response.status_code == 200
    assert not Programme.objects.filter(code="jongno-love").exists()


def test_rules_change_through_the_service_and_accounts_stay(root: Client, world: World) -> None:
    p = world.mapo
    accounts = [p.float_account_id, p.fees_account_id, p.cash_account_id]
    data = programme_form(
        code="renamed", region=str(world.seodaemun.region_id), benefit_bp="1000", settlement_fee_bp="200"
    )
    response = root.post(reverse("admin:wallet_programme_change", args=[p.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    p.refresh_from_db()
    assert (p.settlement_fee_bp, p.benefit_bp, p.settlement_every_days) == (200, 1000, 7)
    assert (p.code, p.region_id) == ("mapo-love", world.mapo.region_id)  # read-only on change
    assert [p.float_account_id, p.fees_account_id, p.cash_account_id] == accounts


def test_a_programme_admin_sees_and_runs_their_region_only(mapo_admin: Client, world: World) -> None:
    listing = mapo_admin.get(reverse("admin:wallet_programme_changelist"))
    assert listing.status_code == 200
    assert b"mapo-love" in listing.content
    assert b"seodaemun-love" not in listing.content
    other = mapo_admin.get(reverse("admin:wallet_programme_change", args=[world.seodaemun.pk]))
    assert other.status_code in (302, 403, 404)
    assert mapo_admin.get(reverse("admin:wallet_programme_add")).status_code == 403
    wallets = mapo_admin.get(reverse("admin:wallet_wallet_changelist"))
    assert wallets.status_code == 200
    assert b"mapo-love/" in wallets.content
    assert b"seodaemun-love/" not in wallets.content
    # The action only reaches the programmes the list shows.
    mapo_admin.post(
        reverse("admin:wallet_programme_changelist"),
        {"action": "run_settlement_now", "_selected_action": [world.mapo.pk, world.seodaemun.pk]},
    )
    assert list(Settlement.objects.values_list("programme__code", flat=True)) == ["mapo-love"]
    assert net(world.fruit.account) == 4_000


def test_run_settlement_now_settles_and_reports(root: Client, world: World) -> None:
    response = root.post(
        reverse("admin:wallet_programme_changelist"),
        {"action": "run_settlement_now", "_selected_action": [world.mapo.pk]},
    )
    assert response.status_code == 302
    s = Settlement.objects.get()
    assert s.run_id.startswith("mapo-love/admin/")
    assert s.created_by is not None
    assert s.created_by.username == "root"
    assert (s.gross_won, s.fee_won, s.net_won) == (33_333, 500, 32_833)
    assert texts(response) == [
        f"mapo-love: settlement {s.run_id} paid 1 merchant(s) 32,833 won (gross 33,333 won, fees 500 won)."
    ]
    assert net(world.greens.account) == 0
    page = root.get(reverse("admin:wallet_settlement_change", args=[s.pk]))
    assert page.status_code == 200
    assert "Mangwon Greens" in page.content.decode()
    assert check_ledger() == []
