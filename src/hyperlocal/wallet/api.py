"""Wallet API (/api/wallet): local-currency programmes, a resident's vouchers, a merchant's
voucher sales and a programme admin's dashboard, rules, grants and settlement runs.

Every request that moves money carries a client-chosen id, as `request_id` in the body or an
`Idempotency-Key` header (either; both must then agree): the first request answers 201, a
repeat of the same request 200 with the same result, the same id with another body 409.
A resident sees only their own wallets (another's id answers 404, as an unknown one does);
a merchant's voucher sales are for its staff; a programme is managed by the programme admins
of its region (and platform admins) only, 403 for anyone else.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import P, Router, Status
from ninja.params import HeaderEx, PathEx

from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.accounts.models import User
from hyperlocal.catalog.services import get_merchant, staff_merchants
from hyperlocal.errors import NotAllowed
from hyperlocal.schemas import request_id_from, with_errors
from hyperlocal.wallet import overview, selectors, services
from hyperlocal.wallet.programmes import Programme
from hyperlocal.wallet.schemas import (
    BIGINT,
    CODE,
    REQUEST_ID,
    DashboardOut,
    GrantIn,
    GrantOut,
    MerchantSalesOut,
    ProgrammeOut,
    PurchaseIn,
    PurchaseOut,
    RefundIn,
    RefundOut,
    RulesPatch,
    SettlementIn,
    SettlementOut,
    StatementOut,
    WalletOut,
    dashboard_out,
    merchant_sales_out,
    programme_out,
    purchase_out,
    refund_out,
    settlement_out,
    statement_line_out,
    wallet_out,
)
from hyperlocal.wallet.services.settlement import run_settlement

router = Router(tags=["wallet"])

MAX_STATEMENT = 500

WalletId = PathEx[int, P(ge=1, le=BIGINT, description="the wallet's id")]
MerchantSlug = PathEx[str, P(pattern=r"^[-a-zA-Z0-9_]{1,120}$", description="the merchant's slug")]
ProgrammeCode = PathEx[str, P(pattern=CODE, description="the programme's code")]
IdempotencyKey = HeaderEx[
    str | None,
    P(
        alias="Idempotency-Key",
        pattern=REQUEST_ID,
        description="the request id, if not sent as `request_id` in the body",
    ),
]


def _managed(user: User, code: str) -> Programme:
    programme = services.get_programme(code)
    services.check_can_manage(user, programme)
    return programme


# --- programmes (public) -------------------------------------------------------------------


@router.get(
    "/programmes",
    response=with_errors({200: list[ProgrammeOut]}, 422),
    summary="Active voucher programmes, with their rules in plain words",
)
def list_programmes(request: HttpRequest) -> list[ProgrammeOut]:
    return [programme_out(p) for p in overview.active_programmes()]


# --- a resident's vouchers -------------------------------------------------------------------


@router.get(
    "/me/wallets",
    auth=api_auth,
    response=with_errors({200: list[WalletOut]}, 401),
    summary="My vouchers: balances by programme and kind, what expires when, refund status",
)
def my_wallets(request: HttpRequest) -> list[WalletOut]:
    return [wallet_out(v) for v in overview.my_wallets(_user(request), now=timezone.now())]


@router.get(
    "/me/wallets/{wallet_id}/statement",
    auth=api_auth,
    response=with_errors({200: StatementOut}, 401, 404, 422),
    summary="Every movement of one of my wallets, newest first, with the balance after it",
)
def wallet_statement(request: HttpRequest, wallet_id: WalletId) -> StatementOut:
    user = _user(request)
    wallet = overview.my_wallet(user, wallet_id)
    view = overview.wallet_view(user, wallet, now=timezone.now())
    rows = overview.statement_rows(wallet, limit=MAX_STATEMENT)
    return StatementOut(wallet=wallet_out(view), lines=[statement_line_out(r) for r in rows])


@router.post(
    "/me/purchases",
    auth=api_auth,
    response=with_errors({200: PurchaseOut, 201: PurchaseOut}, 401, 402, 404, 409, 422),
    summary="Buy vouchers with the card (at the programme's discount or bonus)",
    description="201: bought. 200: a repeat of the same request id (the same purchase). 402: the "
    "card was declined. 404: no such programme. 409: the id was used for another purchase, the "
    "monthly cap is reached, or the programme is closed. 422: the amount is not a positive "
    "multiple of the purchase unit or above the cap, or no request id was sent.",
)
def buy(
    request: HttpRequest, payload: PurchaseIn, idempotency_key: IdempotencyKey = None
) -> Status[PurchaseOut]:
    user = _user(request)
    request_id = request_id_from(payload.request_id, idempotency_key)
    now = timezone.now()
    with transaction.atomic():
        programme = services.get_programme(payload.programme)
        purchase = services.buy_vouchers(
            user,
            programme,
            payload.amount_won,
            request_id=request_id,
            payment_token=payload.payment_token,
            now=now,
        )
    return Status(201 if purchase.purchased_at == now else 200, purchase_out(purchase))


@router.post(
    "/me/wallets/{wallet_id}/refund",
    auth=api_auth,
    response=with_errors({200: RefundOut, 201: RefundOut}, 401, 404, 409, 422),
    summary="Refund the remainder of my bought vouchers (once enough of them has been used)",
    description="201: refunded (the paid share back to the card, the unused discount back to the "
    "programme). 200: a repeat of the same request id. 404: not one of my wallets. 409: part of it "
    "is held for an order, or nothing is left. 422: policy-issued vouchers, or below the "
    "programme's refund threshold.",
)
def refund(
    request: HttpRequest, wallet_id: WalletId, payload: RefundIn, idempotency_key: IdempotencyKey = None
) -> Status[RefundOut]:
    user = _user(request)
    request_id = request_id_from(payload.request_id, idempotency_key)
    now = timezone.now()
    with transaction.atomic():
        wallet = overview.my_wallet(user, wallet_id)
        done = services.refund_remainder(user, wallet, request_id=request_id, now=now)
    return Status(201 if done.refunded_at == now else 200, refund_out(done))


# --- merchants -------------------------------------------------------------------------------


@router.get(
    "/merchants/{slug}/voucher-sales",
    auth=api_auth,
    tags=["merchant"],
    response=with_errors({200: MerchantSalesOut}, 401, 403, 404, 422),
    summary="A merchant's voucher sales: posted, held, settled, payouts with fee and net (its staff only)",
)
def voucher_sales(request: HttpRequest, slug: MerchantSlug) -> MerchantSalesOut:
    user = _user(request)
    merchant = get_merchant(slug)
    if not staff_merchants(user).filter(pk=merchant.pk).exists():
        raise NotAllowed(
            f"only the staff of {merchant.name} see its voucher sales", code="not_merchant_staff"
        )
    return merchant_sales_out(merchant.slug, selectors.merchant_sales(merchant))


# --- programme admins ------------------------------------------------------------------------


@router.get(
    "/programmes/{code}/dashboard",
    auth=api_auth,
    tags=["programme admin"],
    response=with_errors({200: DashboardOut}, 401, 403, 404, 422),
    summary="A programme's figures: issued, float, redeemed by category and neighbourhood, local share, "
    "expiring, settlements",
)
def dashboard(request: HttpRequest, code: ProgrammeCode) -> DashboardOut:
    programme = _managed(_user(request), code)
    return dashboard_out(selectors.programme_dashboard(programme, now=timezone.now()))


@router.patch(
    "/programmes/{code}",
    auth=api_auth,
    tags=["programme admin"],
    response=with_errors({200: ProgrammeOut}, 401, 403, 404, 422),
    summary="Change a programme's rules (its region's programme admins only)",
)
def change_rules(request: HttpRequest, code: ProgrammeCode, payload: RulesPatch) -> ProgrammeOut:
    user = _user(request)
    with transaction.atomic():
        programme = services.update_rules(
            user, services.get_programme(code), payload.model_dump(exclude_unset=True)
        )
    return programme_out(programme)


@router.post(
    "/programmes/{code}/grants",
    auth=api_auth,
    tags=["programme admin"],
    response=with_errors({200: GrantOut, 201: GrantOut}, 401, 403, 404, 409, 422),
    summary="Grant policy-issued vouchers to residents (one grant per resident and batch)",
    description="201: some residents received vouchers now. 200: every listed resident already had "
    "this batch (a repeat). 409: the batch was granted with another amount.",
)
def grant(request: HttpRequest, code: ProgrammeCode, payload: GrantIn) -> Status[GrantOut]:
    user = _user(request)
    now = timezone.now()
    with transaction.atomic():
        programme = _managed(user, code)
        overview.batch_conflict(programme, payload.batch, payload.face_won)
        granted = services.grant_vouchers(
            programme, payload.user_ids, payload.face_won, batch=payload.batch, granted_by=user, now=now
        )
        in_batch = overview.grants_in_batch(programme, payload.batch)
    body = GrantOut(
        programme=programme.code,
        batch=payload.batch,
        face_won=payload.face_won,
        listed=len(set(payload.user_ids)),
        granted_now=granted,
        granted_in_batch=in_batch,
    )
    return Status(201 if granted else 200, body)


@router.post(
    "/programmes/{code}/settlements",
    auth=api_auth,
    tags=["programme admin"],
    response=with_errors({200: SettlementOut, 201: SettlementOut}, 401, 403, 404, 409, 422),
    summary="Run a settlement now: every merchant's posted voucher sales paid out net of the fee",
    description="201: run. 200: a repeat of the run id (the same run). 409: the run id belongs to "
    "another programme.",
)
def settle(
    request: HttpRequest, code: ProgrammeCode, payload: SettlementIn, idempotency_key: IdempotencyKey = None
) -> Status[SettlementOut]:
    user = _user(request)
    run_id = request_id_from(payload.run_id, idempotency_key, field="run_id")
    now = timezone.now()
    with transaction.atomic():
        programme = _managed(user, code)
        settlement = run_settlement(programme, run_id=run_id, now=now, created_by=user)
    return Status(201 if settlement.created_at == now else 200, settlement_out(settlement))
