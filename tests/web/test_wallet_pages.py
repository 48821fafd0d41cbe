"""The resident's voucher pages (/wallet/, a statement, buying and the refund) and a merchant's
voucher sales page: exact won figures, a repeated form is a repeat (one purchase), and every
refusal shows the service's message on the page with its 4xx while nothing is written."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import BusinessCategory, RevenueBand
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import BenefitKind, Programme, VoucherKind, VoucherPurchase, Wallet
from hyperlocal.wallet.services import buy_vouchers, grant_vouchers, open_programme
from hyperlocal.wallet.services.wallets import wallet_for
from tests.factories import MerchantFactory, MerchantStaffFactory, UserFactory
from tests.wallet.test_api import everything, spend
from tests.web.conftest import english
from tests.web.world import World

WALLET = "/wallet/"


def open_mapo_love(region: Region) -> Programme:
    with transaction.atomic():
        return open_programme(
            code="mapo-love",
            name_ko="마포사랑상품권",
            region=region,
            benefit=BenefitKind.DISCOUNT,
            monthly_purchase_cap_won=700_000,
            now=timezone.now(),
            name_en="Mapo Love Voucher",
            benefit_bp=1000,
            settlement_fee_bp=100,
            excluded_categories=[BusinessCategory.ENTERTAINMENT],
        )


@pytest.fixture
def programme(mapo: Region) -> Programme:
    return open_mapo_love(mapo)


@pytest.fixture
def resident(world: World) -> Client:
    return english(Client(), world.resident)


def request_id(html: str, form_id: str = "") -> str:
    found = re.search(r'name="request_id" value="([0-9a-f]+)"', html[html.find(form_id) :])
    assert found, "no request id on the page"
    return found.group(1)


def buy(client: Client, amount: Any, rid: str, token: str = "tok_test_ok") -> Any:
    return client.post(
        reverse("web:wallet_buy"),
        {"programme": "mapo-love", "amount_won": amount, "payment_token": token, "request_id": rid},
    )


def bought(user: User, programme: Programme, amount: int = 100_000) -> Wallet:
    with transaction.atomic():
        buy_vouchers(
            user, programme, amount, request_id="seed", payment_token="tok_test_ok", now=timezone.now()
        )
        return wallet_for(user, programme, VoucherKind.BOUGHT, now=timezone.now())


def test_the_wallet_page_offers_vouchers_at_their_price(programme: Programme, resident: Client) -> None:
    response = resident.get(WALLET)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-vouchers"' in html
    assert "Buy Mapo Love Voucher" in html
    assert "pay 90,000 won, receive 100,000 won" in html
    assert "10 % discount: pay 90,000 won, receive 100,000 won of vouchers." in html
    assert "You can buy 700,000 won more this month." in html
    assert "moves no money" in html  # the test provider, plainly labelled
    assert 'id="nav-wallet"' in html
    assert len(request_id(html)) == 32


def test_anonymous_visitors_are_sent_to_log_in(programme: Programme) -> None:
    response = Client().get(WALLET)
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]
    assert Client().post(reverse("web:wallet_buy"), {}).status_code == 302
    assert not Wallet.objects.exists()


def test_buying_then_sending_the_same_form_again_buys_once(
    programme: Programme, world: World, resident: Client
) -> None:
    rid = request_id(resident.get(WALLET).content.decode())
    done = buy(resident, 100_000, rid)
    assert done.status_code == 302
    assert done["Location"] == WALLET
    page = resident.get(WALLET).content.decode()
    assert "You bought 100,000 won of Mapo Love Voucher for 90,000 won." in page
    wallet = Wallet.objects.get(user=world.resident)
    assert f'id="wallet-{wallet.pk}" data-kind="bought" data-available="100000" data-held="0"' in page
    assert "You can buy 600,000 won more this month." in page
    assert request_id(page) != rid  # a new id for the next purchase

    before = everything()
    again = buy(resident, 100_000, rid)
    assert again.status_code == 302
    assert "This purchase was already made: 100,000 won" in resident.get(WALLET).content.decode()
    assert everything() == before
    assert VoucherPurchase.objects.count() == 1

    other = buy(resident, 200_000, rid)
    assert other.status_code == 409
    assert "already used for another purchase" in other.content.decode()
    assert everything() == before


@pytest.mark.parametrize(
    ("amount", "token", "status", "words"),
    [
        ("15000", "tok_test_ok", 422, "vouchers are sold in units of 10,000 won"),
        ("0", "tok_test_ok", 422, "the amount must be a positive whole number of won"),
        ("-20000", "tok_test_ok", 422, "the amount must be a positive whole number of won"),
        ("710000", "tok_test_ok", 422, "the monthly purchase cap is 700,000 won"),
        ("lots", "tok_test_ok", 422, "Enter a whole number."),
        ("100000", "tok_test_decline", 402, "The card was declined"),
        ("100000", "tok_other", 422, "Select a valid choice."),
    ],
)
def test_bad_purchases_show_the_reason_and_buy_nothing(
    programme: Programme, resident: Client, amount: str, token: str, status: int, words: str
) -> None:
    before = everything()
    response = buy(resident, amount, "r-1", token)
    assert response.status_code == status
    html = response.content.decode()
    assert words in html
    assert 'class="message error"' in html
    assert everything() == before
    if amount == "15000":
        assert 'value="15000"' in html  # what was typed is kept


def test_the_monthly_cap_is_shown_when_reached(programme: Programme, world: World, resident: Client) -> None:
    bought(world.resident, programme, 650_000)
    before = everything()
    response = buy(resident, 100_000, "r-2")
    assert response.status_code == 409
    assert "allows 50,000 won more" in response.content.decode()
    assert everything() == before


def test_the_refund_waits_for_the_threshold_then_pays_the_card_share(
    programme: Programme, world: World, resident: Client
) -> None:
    wallet = bought(world.resident, programme)
    spend(wallet, 59_000)
    html = resident.get(WALLET).content.decode()
    assert (
        "The remainder can be refunded once 60 % of the vouchers bought have been used; you have used 59.0 %."
    ) in html
    assert "refund-form" not in html
    before = everything()
    early = resident.post(reverse("web:wallet_refund", args=[wallet.pk]), {"request_id": "r"})
    assert early.status_code == 422
    assert "you have used 59.0 %" in early.content.decode()
    assert everything() == before

    spend(wallet, 1_000, 2)
    html = resident.get(WALLET).content.decode()
    assert "Refund the remainder (40,000원)" in html
    rid = request_id(html, "refund-form")
    done = resident.post(reverse("web:wallet_refund", args=[wallet.pk]), {"request_id": rid})
    assert done.status_code == 302
    page = resident.get(WALLET).content.decode()
    assert "Refunded the remainder of 40,000 won: 36,000 won back to your card." in page
    assert 'data-available="0"' in page
    before = everything()
    again = resident.post(reverse("web:wallet_refund", args=[wallet.pk]), {"request_id": rid})
    assert again.status_code == 302
    assert "This refund was already made" in resident.get(WALLET).content.decode()
    assert everything() == before


def test_policy_vouchers_show_beside_bought_ones(
    programme: Programme, world: World, resident: Client
) -> None:
    bought(world.resident, programme)
    with transaction.atomic():
        grant_vouchers(programme, [world.resident.pk], 30_000, batch="b", granted_by=None, now=timezone.now())
    html = resident.get(WALLET).content.decode()
    assert 'data-kind="bought" data-available="100000"' in html
    assert 'data-kind="policy" data-available="30000"' in html
    assert "never refunded in cash" in html


def test_another_residents_wallet_is_not_found(programme: Programme, world: World) -> None:
    wallet = bought(world.resident, programme)
    stranger = english(Client(), UserFactory())
    before = everything()
    assert stranger.get(reverse("web:wallet_statement", args=[wallet.pk])).status_code == 404
    assert (
        stranger.post(reverse("web:wallet_refund", args=[wallet.pk]), {"request_id": "x"}).status_code == 404
    )
    assert everything() == before


def test_the_statement_lists_each_movement_with_the_balance_after(
    programme: Programme, world: World, resident: Client
) -> None:
    wallet = bought(world.resident, programme)
    spend(wallet, 30_000)
    spend(wallet, 5_000, 2, post=False)
    response = resident.get(reverse("web:wallet_statement", args=[wallet.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-available="65000" data-held="5000"' in html
    rows = re.findall(
        r'<tr class="kind-(\w+) state-(\w+)">.*?<td class="num">([^<]*)</td>\s*</tr>', html, re.S
    )
    assert rows == [
        ("payment", "pending", "70,000원"),
        ("payment", "posting", "70,000원"),
        ("payment", "pending", "100,000원"),
        ("purchase", "posted", "100,000원"),
        ("purchase_benefit", "posted", "10,000원"),
    ]
    assert "Paid at checkout" in html
    assert "-30,000원" in html
    assert "(-5,000원)" in html


def test_the_pages_are_korean_by_default(programme: Programme, world: World) -> None:
    client = Client()
    client.force_login(world.resident)
    html = client.get(WALLET).content.decode()
    assert '<html lang="ko">' in html
    assert "내 상품권" in html
    assert "90,000원 내고 100,000원 받기" in html
    assert "Buy Mapo" not in html


# --- merchants ---------------------------------------------------------------------------------


def test_a_merchants_staff_see_voucher_sales_pending_settled_and_payouts(
    programme: Programme, world: World
) -> None:
    from hyperlocal.wallet.services.settlement import run_settlement

    staff = MerchantStaffFactory(merchant=MerchantFactory(revenue_band=RevenueBand.UNDER_300M))
    wallet = bought(world.resident, programme)
    spend(wallet, 20_000, 1, merchant=staff.merchant)
    spend(wallet, 3_000, 2, merchant=staff.merchant, post=False)
    with transaction.atomic():
        run_settlement(programme, run_id="run-a", now=timezone.now())
    spend(wallet, 8_000, 3, merchant=staff.merchant)

    client = english(Client(), staff.user)
    response = client.get(reverse("web:merchant_vouchers"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="nav-voucher-sales"' in html
    assert re.search(r'id="sales-posted">28,000원<', html)
    assert re.search(r'id="sales-held">3,000원<', html)
    assert re.search(r'id="sales-outstanding">8,000원<', html)
    assert re.search(r'id="settled-net">19,800원<', html)  # 20,000 less the 1 % fee
    assert "run-a" in html
    assert "you take bought and policy-issued vouchers." in html


def test_a_big_merchant_takes_policy_vouchers_only(programme: Programme) -> None:
    staff = MerchantStaffFactory(merchant=MerchantFactory(revenue_band=RevenueBand.UNDER_10B))
    html = english(Client(), staff.user).get(reverse("web:merchant_vouchers")).content.decode()
    assert "you take policy-issued vouchers only" in html
    assert "yearly revenue is above the cap for bought vouchers" in html


def test_people_who_are_not_merchant_staff_get_403(programme: Programme, resident: Client) -> None:
    assert resident.get(reverse("web:merchant_vouchers")).status_code == 403
