"""The wallet API as residents, merchants and programme admins use it: exact won figures,
idempotent repeats (201 then 200, 409 for the same id with another body), and every refusal
answered with its 4xx and the service's code while nothing at all is written."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, get_args

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from hyperlocal.accounts.auth import issue_token
from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import ROLE_PERMISSIONS, Role, ensure_roles, grant_role
from hyperlocal.catalog.models import BusinessCategory, Merchant, RevenueBand
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import (
    BenefitKind,
    Programme,
    ProgrammeAdmin,
    Settlement,
    SettlementPayout,
    VoucherGrant,
    VoucherKind,
    VoucherPurchase,
    VoucherRefund,
    Wallet,
)
from hyperlocal.wallet.schemas import BenefitName, CategoryName, RevenueBandName, VoucherKindName
from hyperlocal.wallet.services.spending import pay_hold, pay_post
from hyperlocal.wallet.services.wallets import merchant_account_for, wallet_for
from tests.factories import MerchantFactory, MerchantStaffFactory, UserFactory
from tests.wallet.conftest import tables

API = "/api/wallet"


class Api:
    """A django.test.Client speaking JSON as one user (bearer token), in English."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if user is not None:
            _, key = issue_token(user, "tests")
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"

    def get(self, path: str) -> Any:
        return self.client.get(f"{API}{path}", **self.headers)

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(
            f"{API}{path}", data=data, content_type="application/json", **self.headers, **headers
        )

    def buy(self, amount: Any, request_id: str | None = "buy-1", **extra: Any) -> Any:
        body = {"programme": "mapo-love", "amount_won": amount, **extra}
        if request_id is not None:
            body["request_id"] = request_id
        return self.send("post", "/me/purchases", body)


def everything() -> tuple[object, ...]:
    """Every ledger row and every business row of the wallet app."""
    rows = [
        list(m.objects.order_by("pk").values_list())
        for m in (
            Wallet,
            VoucherPurchase,
            VoucherGrant,
            VoucherRefund,
            Settlement,
            SettlementPayout,
            Programme,
        )
    ]
    return (*tables(), *rows)


def refused(
    response: Any, status: int, before: tuple[object, ...], code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    assert everything() == before
    return body


@pytest.fixture
def api(resident: User) -> Api:
    return Api(resident)


@pytest.fixture
def admin(programme: Programme) -> User:
    user = UserFactory(username="mapo-admin")
    grant_role(user, Role.PROGRAMME_ADMIN)
    ProgrammeAdmin.objects.create(user=user, region=programme.region)
    return user


@pytest.fixture
def elsewhere_admin(programme: Programme) -> User:
    """A programme admin of another district: may not touch Mapo-gu's programme."""
    seodaemun = Region.objects.create(code="11410", name_ko="서대문구", level=Region.Level.DISTRICT)
    user = UserFactory(username="seodaemun-admin")
    grant_role(user, Role.PROGRAMME_ADMIN)
    ProgrammeAdmin.objects.create(user=user, region=seodaemun)
    return user


def spend(
    wallet: Wallet, amount: int, n: int = 1, *, post: bool = True, merchant: Merchant | None = None
) -> None:
    """A voucher payment at a small Mapo-gu grocer, held (and posted) as checkout does."""
    merchant = merchant or MerchantFactory(revenue_band=RevenueBand.UNDER_300M)
    now = timezone.now()
    with transaction.atomic():
        account = merchant_account_for(wallet.programme, merchant, now=now)
        hold = pay_hold(wallet, account, amount, transfer_id=f"pay{n}", timeout=timedelta(hours=2), now=now)
        if post:
            pay_post(wallet, hold.id, transfer_id=f"pay{n}/post", now=now)


def test_literals_match_the_models() -> None:
    assert set(get_args(BenefitName)) == set(BenefitKind.values)
    assert set(get_args(VoucherKindName)) == set(VoucherKind.values)
    assert set(get_args(CategoryName)) == set(BusinessCategory.values)
    assert set(get_args(RevenueBandName)) == set(RevenueBand.values)


# --- programmes ---------------------------------------------------------------------------------


def test_programmes_are_listed_with_their_rules_in_plain_words(programme: Programme) -> None:
    response = Api(None).get("/programmes")
    assert response.status_code == 200
    [listed] = response.json()
    assert (listed["code"], listed["benefit"], listed["benefit_bp"], listed["monthly_purchase_cap_won"]) == (
        "mapo-love",
        "discount",
        1000,
        700_000,
    )
    assert listed["rules"][0] == "10 % discount: pay 90,000 won, receive 100,000 won of vouchers."
    assert "Sold in units of 10,000 won, up to 700,000 won a month per person." in listed["rules"]
    assert "Valid for 5 years from issue." in listed["rules"]
    assert any("Not at: entertainment." in r for r in listed["rules"])
    assert any("up to 1 billion won" in r for r in listed["rules"])
    assert "Merchants are paid every day, less a 1 % fee." in listed["rules"]

    Programme.objects.filter(pk=programme.pk).update(is_active=False)
    assert Api(None).get("/programmes").json() == []


def test_rules_follow_the_request_language(programme: Programme) -> None:
    korean = Client().get(f"{API}/programmes", HTTP_ACCEPT_LANGUAGE="ko").json()[0]["rules"]
    english = Api(None).get("/programmes").json()[0]["rules"]
    assert len(korean) == len(english)
    assert korean[0] != english[0]
    assert "90,000원" in korean[0]


# --- buying -------------------------------------------------------------------------------------


def test_buying_pays_the_discounted_price_and_a_repeat_is_the_same_purchase(
    programme: Programme, resident: User, api: Api
) -> None:
    first = api.buy(100_000)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["face_won"], body["paid_won"], body["benefit_won"], body["provider"]) == (
        100_000,
        90_000,
        10_000,
        "test",
    )
    before = everything()
    again = api.buy(100_000)
    assert again.status_code == 200
    assert again.json() == body
    assert everything() == before

    [wallet] = api.get("/me/wallets").json()
    assert (wallet["kind"], wallet["available_won"], wallet["held_won"]) == ("bought", 100_000, 0)
    assert [lot["won"] for lot in wallet["expiring"]] == [100_000]
    assert wallet["refund"]["refundable"] is False
    assert wallet["refund"]["reason"] == (
        "The remainder can be refunded once 60 % of the vouchers bought have been used; you have used 0.0 %."
    )


def test_the_idempotency_key_header_works_like_a_request_id(programme: Programme, api: Api) -> None:
    body = {"programme": "mapo-love", "amount_won": 50_000}
    first = api.send("post", "/me/purchases", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = api.send("post", "/me/purchases", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert VoucherPurchase.objects.count() == 1
    before = everything()
    other = api.send("post", "/me/purchases", {**body, "amount_won": 60_000}, HTTP_IDEMPOTENCY_KEY="k-1")
    refused(other, 409, before, "transfer_id_reused")
    both = api.send("post", "/me/purchases", {**body, "request_id": "k-2"}, HTTP_IDEMPOTENCY_KEY="k-3")
    refused(both, 422, before, "invalid_id")
    neither = api.send("post", "/me/purchases", body)
    assert "request_id" in refused(neither, 422, before, "request_id_missing")["detail"]


@pytest.mark.parametrize(
    ("amount", "status", "code", "words"),
    [
        (0, 422, "InvalidInput", "positive whole number"),
        (-10_000, 422, "InvalidInput", "positive whole number"),
        (15_000, 422, "not_a_unit", "units of 10,000 won"),
        (710_000, 422, "above_cap", "monthly purchase cap is 700,000 won"),
        (10**18, 422, "above_cap", "monthly purchase cap"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_moves(
    programme: Programme, api: Api, amount: int, status: int, code: str, words: str
) -> None:
    before = everything()
    body = refused(api.buy(amount), status, before, code)
    assert words in body["detail"]


def test_the_monthly_cap_stops_a_second_purchase(programme: Programme, api: Api) -> None:
    assert api.buy(650_000, "a").status_code == 201
    before = everything()
    body = refused(api.buy(60_000, "b"), 409, before, "monthly_cap_reached")
    assert "allows 50,000 won more" in body["detail"]
    assert api.buy(50_000, "c").status_code == 201


def test_a_declined_card_buys_nothing(programme: Programme, api: Api) -> None:
    before = everything()
    refused(api.buy(100_000, payment_token="tok_test_decline"), 402, before, "payment_declined")


def test_unknown_or_closed_programmes_and_strangers(programme: Programme, api: Api) -> None:
    before = everything()
    refused(
        api.send("post", "/me/purchases", {"programme": "nowhere", "amount_won": 10_000, "request_id": "x"}),
        404,
        before,
        "programme_not_found",
    )
    Programme.objects.filter(pk=programme.pk).update(is_active=False)
    before = everything()
    refused(api.buy(10_000), 409, before, "programme_closed")
    assert Api(None).buy(10_000).status_code == 401
    assert Api(None).get("/me/wallets").status_code == 401


# --- statements and refunds -------------------------------------------------------------------


def test_the_statement_shows_every_movement_with_the_balance_after(
    programme: Programme, resident: User, api: Api
) -> None:
    assert api.buy(100_000).status_code == 201
    wallet = Wallet.objects.get(user=resident)
    spend(wallet, 30_000)
    spend(wallet, 5_000, 2, post=False)
    response = api.get(f"/me/wallets/{wallet.pk}/statement")
    assert response.status_code == 200
    body = response.json()
    assert (body["wallet"]["available_won"], body["wallet"]["held_won"]) == (65_000, 5_000)
    lines = [
        (ln["kind"], ln["state"], ln["amount_won"], ln["held_won"], ln["balance_after_won"])
        for ln in body["lines"]
    ]
    assert lines == [
        ("payment", "pending", 0, -5_000, 70_000),
        ("payment", "posting", -30_000, 0, 70_000),
        ("payment", "pending", 0, -30_000, 100_000),
        # the same moment: newest first by id
        ("purchase", "posted", 90_000, 0, 100_000),
        ("purchase_benefit", "posted", 10_000, 0, 10_000),
    ]


def test_another_residents_wallet_is_not_found(programme: Programme, resident: User, api: Api) -> None:
    assert api.buy(100_000).status_code == 201
    wallet = Wallet.objects.get(user=resident)
    stranger = Api(UserFactory())
    assert stranger.get("/me/wallets").json() == []
    before = everything()
    refused(stranger.get(f"/me/wallets/{wallet.pk}/statement"), 404, before, "wallet_not_found")
    refused(stranger.send("post", f"/me/wallets/{wallet.pk}/refund", {"request_id": "r"}), 404, before)
    refused(stranger.get("/me/wallets/999999/statement"), 404, before, "wallet_not_found")


def test_the_remainder_is_refunded_once_enough_was_used(
    programme: Programme, resident: User, api: Api
) -> None:
    assert api.buy(100_000).status_code == 201
    wallet = Wallet.objects.get(user=resident)
    spend(wallet, 59_000)
    before = everything()
    body = refused(api.send("post", f"/me/wallets/{wallet.pk}/refund", {"request_id": "r"}), 422, before)
    assert body["code"] == "below_refund_threshold"
    assert "used 59.0 %" in body["detail"]

    spend(wallet, 1_000, 2)
    [status] = api.get("/me/wallets").json()
    assert status["refund"]["refundable"] is True
    assert (status["refund"]["remainder_won"], status["refund"]["cash_won"]) == (40_000, 36_000)
    done = api.send("post", f"/me/wallets/{wallet.pk}/refund", {"request_id": "r"})
    assert done.status_code == 201, done.content
    assert (done.json()["remainder_won"], done.json()["cash_won"], done.json()["clawback_won"]) == (
        40_000,
        36_000,
        4_000,
    )
    before = everything()
    again = api.send("post", f"/me/wallets/{wallet.pk}/refund", {}, HTTP_IDEMPOTENCY_KEY="r")
    assert again.status_code == 200
    assert again.json() == done.json()
    assert everything() == before
    refused(
        api.send("post", f"/me/wallets/{wallet.pk}/refund", {"request_id": "r2"}),
        409,
        before,
        "nothing_to_refund",
    )


def test_held_and_policy_vouchers_are_not_refunded(programme: Programme, resident: User, api: Api) -> None:
    assert api.buy(100_000).status_code == 201
    wallet = Wallet.objects.get(user=resident)
    spend(wallet, 60_000)
    spend(wallet, 1_000, 2, post=False)
    before = everything()
    refused(
        api.send("post", f"/me/wallets/{wallet.pk}/refund", {"request_id": "r"}),
        409,
        before,
        "wallet_has_holds",
    )
    with transaction.atomic():
        policy = wallet_for(resident, programme, VoucherKind.POLICY, now=timezone.now())
    before = everything()
    refused(
        api.send("post", f"/me/wallets/{policy.pk}/refund", {"request_id": "p"}),
        422,
        before,
        "not_refundable",
    )


# --- programme admins ---------------------------------------------------------------------------


def test_a_programme_admin_changes_the_rules_of_their_region_only(
    programme: Programme, admin: User, elsewhere_admin: User, resident: User
) -> None:
    changed = Api(admin).send(
        "patch", "/programmes/mapo-love", {"benefit_bp": 700, "excluded_categories": []}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["benefit_bp"] == 700
    assert changed.json()["rules"][0] == "7 % discount: pay 93,000 won, receive 100,000 won of vouchers."
    programme.refresh_from_db()
    assert (programme.benefit_bp, programme.excluded_categories, programme.settlement_fee_bp) == (
        700,
        [],
        100,
    )

    before = everything()
    for user in (elsewhere_admin, resident):
        refused(
            Api(user).send("patch", "/programmes/mapo-love", {"benefit_bp": 900}), 403, before, "NotAllowed"
        )
    refused(Api(admin).send("patch", "/programmes/mapo-love", {"benefit_bp": 9000}), 422, before)
    refused(Api(admin).send("patch", "/programmes/mapo-love", {"monthly_purchase_cap_won": 1}), 422, before)
    refused(Api(admin).send("patch", "/programmes/mapo-love", {"region": "11410"}), 422, before)
    refused(Api(admin).send("patch", "/programmes/mapo-love", {"is_active": "no"}), 422, before)
    refused(Api(admin).send("patch", "/programmes/nowhere", {"benefit_bp": 900}), 404, before)


def test_grants_reach_each_resident_once_per_batch(programme: Programme, admin: User, resident: User) -> None:
    other = UserFactory()
    body = {"user_ids": [resident.pk, other.pk], "face_won": 50_000, "batch": "spring-2025"}
    first = Api(admin).send("post", "/programmes/mapo-love/grants", body)
    assert first.status_code == 201, first.content
    assert (first.json()["granted_now"], first.json()["granted_in_batch"]) == (2, 2)
    [wallet] = Api(resident).get("/me/wallets").json()
    assert (wallet["kind"], wallet["available_won"]) == ("policy", 50_000)
    assert wallet["refund"]["reason"] == "Policy-issued vouchers cannot be refunded."

    before = everything()
    again = Api(admin).send("post", "/programmes/mapo-love/grants", body)
    assert again.status_code == 200
    assert (again.json()["granted_now"], again.json()["granted_in_batch"]) == (0, 2)
    assert everything() == before
    refused(
        Api(admin).send("post", "/programmes/mapo-love/grants", {**body, "face_won": 60_000}),
        409,
        before,
        "batch_reused",
    )
    refused(
        Api(admin).send("post", "/programmes/mapo-love/grants", {**body, "batch": "b", "face_won": 0}),
        422,
        before,
    )
    refused(
        Api(admin).send("post", "/programmes/mapo-love/grants", {**body, "batch": "b", "user_ids": [10**9]}),
        422,
        before,
    )
    refused(Api(resident).send("post", "/programmes/mapo-love/grants", {**body, "batch": "b"}), 403, before)


def test_a_settlement_run_pays_merchants_net_of_the_fee(
    programme: Programme, admin: User, elsewhere_admin: User, resident: User, api: Api
) -> None:
    assert api.buy(100_000).status_code == 201
    wallet = Wallet.objects.get(user=resident)
    spend(wallet, 45_650)
    before = everything()
    for user in (elsewhere_admin, resident):
        refused(Api(user).send("post", "/programmes/mapo-love/settlements", {"run_id": "run-1"}), 403, before)
    refused(
        Api(admin).send("post", "/programmes/mapo-love/settlements", {}), 422, before, "request_id_missing"
    )

    run = Api(admin).send("post", "/programmes/mapo-love/settlements", {"run_id": "run-1"})
    assert run.status_code == 201, run.content
    body = run.json()
    # 1 % of 45,650 is 456.5, rounded half up to 457.
    assert (body["gross_won"], body["fee_won"], body["net_won"]) == (45_650, 457, 45_193)
    [payout] = body["payouts"]
    assert (payout["gross_won"], payout["fee_won"], payout["net_won"], payout["payments"]) == (
        45_650,
        457,
        45_193,
        1,
    )
    before = everything()
    again = Api(admin).send("post", "/programmes/mapo-love/settlements", {}, HTTP_IDEMPOTENCY_KEY="run-1")
    assert again.status_code == 200
    assert again.json() == body
    assert everything() == before


def test_permissions_of_the_programme_admin_role_exist(db: None) -> None:
    groups = ensure_roles()
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in groups[Role.PROGRAMME_ADMIN].permissions.all()
    }
    wanted = set(ROLE_PERMISSIONS[Role.PROGRAMME_ADMIN])
    assert wanted == granted
    assert "wallet.change_programme" in granted
    assert not any(p.startswith(("wallet.add_", "wallet.delete_")) for p in granted)


# --- merchants and dashboards ------------------------------------------------------------------


def test_a_merchants_staff_see_its_voucher_sales_and_payouts(
    programme: Programme, admin: User, resident: User, api: Api
) -> None:
    staff = MerchantStaffFactory()
    shop = staff.merchant
    assert api.buy(100_000).status_code == 201
    wallet = Wallet.objects.get(user=resident)
    spend(wallet, 30_000, 1, merchant=shop)
    spend(wallet, 12_345, 2, merchant=shop)
    spend(wallet, 5_000, 3, merchant=shop, post=False)
    assert Api(admin).send("post", "/programmes/mapo-love/settlements", {"run_id": "r1"}).status_code == 201
    spend(wallet, 7_000, 4, merchant=shop)

    response = Api(staff.user).get(f"/merchants/{shop.slug}/voucher-sales")
    assert response.status_code == 200, response.content
    sales = response.json()
    figures = {k: sales[k] for k in ("payments", "payments_won", "holds", "held_won", "outstanding_won")}
    assert figures == {
        "payments": 3,
        "payments_won": 49_345,
        "holds": 1,
        "held_won": 5_000,
        "outstanding_won": 7_000,
    }
    # 1 % of 42,345 is 423.45: 423 fee, 41,922 paid out.
    assert (sales["settled_gross_won"], sales["fees_won"], sales["settled_net_won"]) == (42_345, 423, 41_922)
    [payout] = sales["payouts"]
    assert (
        payout["run_id"],
        payout["gross_won"],
        payout["fee_won"],
        payout["net_won"],
        payout["payments"],
    ) == (
        "r1",
        42_345,
        423,
        41_922,
        2,
    )
    before = everything()
    refused(
        Api(MerchantStaffFactory().user).get(f"/merchants/{shop.slug}/voucher-sales"),
        403,
        before,
        "not_merchant_staff",
    )
    refused(api.get(f"/merchants/{shop.slug}/voucher-sales"), 403, before)
    refused(Api(staff.user).get("/merchants/no-such-shop/voucher-sales"), 404, before)
    assert Api(None).get(f"/merchants/{shop.slug}/voucher-sales").status_code == 401


def test_the_dashboard_is_for_the_programmes_own_admins(
    programme: Programme, admin: User, elsewhere_admin: User, resident: User, api: Api
) -> None:
    assert api.buy(200_000).status_code == 201
    wallet = Wallet.objects.get(user=resident)
    granted = Api(admin).send(
        "post", "/programmes/mapo-love/grants", {"user_ids": [resident.pk], "face_won": 30_000, "batch": "b"}
    )
    assert granted.status_code == 201
    spend(wallet, 25_000)
    spend(wallet, 4_000, 2, post=False)
    response = Api(admin).get("/programmes/mapo-love/dashboard")
    assert response.status_code == 200, response.content
    d = response.json()
    assert (d["issued_won"], d["issued_bought_won"], d["issued_policy_won"]) == (230_000, 200_000, 30_000)
    assert (d["benefit_won"], d["outstanding_won"], d["held_won"]) == (20_000, 205_000, 4_000)
    assert (d["redeemed_won"], d["payments"], d["local_won"], d["brand_won"], d["local_share_bp"]) == (
        25_000,
        1,
        25_000,
        0,
        10_000,
    )
    assert [(b["key"], b["won"]) for b in d["by_category"]] == [("grocery", 25_000)]
    assert d["programme"]["code"] == "mapo-love"
    before = everything()
    for user in (elsewhere_admin, resident):
        refused(Api(user).get("/programmes/mapo-love/dashboard"), 403, before, "NotAllowed")
    refused(Api(admin).get("/programmes/nowhere/dashboard"), 404, before, "programme_not_found")


def test_a_paused_programme_sells_nothing_and_a_new_cap_counts(
    programme: Programme, admin: User, api: Api
) -> None:
    paused = Api(admin).send(
        "patch", "/programmes/mapo-love", {"is_active": False, "monthly_purchase_cap_won": 500_000}
    )
    assert paused.status_code == 200, paused.content
    assert (paused.json()["is_active"], paused.json()["monthly_purchase_cap_won"]) == (False, 500_000)
    assert Api(None).get("/programmes").json() == []
    before = everything()
    refused(api.buy(10_000), 409, before, "programme_closed")
    assert Api(admin).send("patch", "/programmes/mapo-love", {"is_active": True}).status_code == 200
    before = everything()
    refused(api.buy(510_000), 422, before, "above_cap")
    assert api.buy(500_000).status_code == 201
