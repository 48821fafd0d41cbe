"""transfer, post_pending, void_pending, expire_pending: effects, refusals, idempotency."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import transaction

from hyperlocal.errors import DomainError, InvalidInput, NotFound
from hyperlocal.wallet.errors import InsufficientFunds, PendingNotOpen, TransferIdReused
from hyperlocal.wallet.models import AccountKind, LedgerAccount, Transfer, TransferState
from hyperlocal.wallet.services import (
    Balance,
    balance,
    check_ledger,
    expire_pending,
    open_account,
    post_pending,
    transfer,
    void_pending,
)
from tests.wallet.conftest import NOW, tables

pytestmark = pytest.mark.django_db
HOUR = timedelta(hours=1)


def hold(
    funded: LedgerAccount, merchant: LedgerAccount, amount: int = 3_000, tid: str = "hold-1"
) -> Transfer:
    with transaction.atomic():
        return transfer(tid, funded, merchant, amount, kind="checkout", pending=True, timeout=HOUR, now=NOW)


def test_posted_transfer_moves_money(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    with transaction.atomic():
        t = transfer("pay-1", funded, merchant, 2_500, kind="payment", now=NOW)
    assert t.state == TransferState.POSTED
    assert balance(funded) == Balance(debits_posted=2_500, credits_posted=10_000)
    assert balance(merchant) == Balance(credits_posted=2_500)
    assert check_ledger() == []


def test_spending_exactly_the_balance_is_allowed_one_more_won_is_not(
    funded: LedgerAccount, merchant: LedgerAccount
) -> None:
    with transaction.atomic():
        transfer("pay-1", funded, merchant, 10_000, kind="payment", now=NOW)
    before = tables()
    with pytest.raises(InsufficientFunds) as err, transaction.atomic():
        transfer("pay-2", funded, merchant, 1, kind="payment", now=NOW)
    assert err.value.status_code == 409
    assert "0 won available" in err.value.message
    assert tables() == before


def test_refused_transfer_writes_nothing_even_if_the_caller_carries_on(
    funded: LedgerAccount, merchant: LedgerAccount
) -> None:
    before = tables()
    refused = False
    with transaction.atomic():  # the caller catches the error and commits: the savepoint rolled back
        try:
            transfer("pay-1", funded, merchant, 10_001, kind="payment", now=NOW)
        except InsufficientFunds:
            refused = True
    assert refused
    assert tables() == before


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        ({"amount": 0}, InvalidInput, "invalid_amount"),
        ({"amount": -5}, InvalidInput, "invalid_amount"),
        ({"amount": 1.5}, InvalidInput, "invalid_amount"),
        ({"amount": True}, InvalidInput, "invalid_amount"),
        ({"credit": "wallet:1"}, InvalidInput, "same_account"),
        ({"credit": "nobody"}, NotFound, "account_not_found"),
        ({"transfer_id": ""}, InvalidInput, "invalid_id"),
        ({"transfer_id": "expired/x"}, InvalidInput, "invalid_id"),
        ({"kind": ""}, InvalidInput, "InvalidInput"),
        ({"timeout": HOUR}, InvalidInput, "InvalidInput"),  # a timeout without pending
        ({"pending": True, "timeout": timedelta(0)}, InvalidInput, "InvalidInput"),
        ({"now": NOW.replace(tzinfo=None)}, InvalidInput, "InvalidInput"),
    ],
)
def test_transfer_bad_input_writes_nothing(
    funded: LedgerAccount,
    merchant: LedgerAccount,
    change: dict[str, object],
    error: type[DomainError],
    code: str,
) -> None:
    args: dict[str, object] = {
        "transfer_id": "pay-1",
        "debit": "wallet:1",
        "credit": "merchant:1",
        "amount": 100,
        "kind": "payment",
        "now": NOW,
        **change,
    }
    before = tables()
    with pytest.raises(error) as err, transaction.atomic():
        transfer(**args)  # type: ignore[arg-type]
    assert err.value.code == code
    assert tables() == before


def test_same_id_same_body_returns_the_original(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    with transaction.atomic():
        first = transfer("pay-1", funded, merchant, 700, kind="payment", now=NOW)
    before = tables()
    with transaction.atomic():
        again = transfer("pay-1", "wallet:1", "merchant:1", 700, kind="payment", now=NOW + HOUR)
    assert again.pk == first.pk
    assert again.created_at == NOW
    assert tables() == before


@pytest.mark.parametrize(
    "change",
    [{"amount": 701}, {"kind": "refund"}, {"pending": True}, {"credit": "float"}],
)
def test_same_id_other_body_is_409(
    funded: LedgerAccount, merchant: LedgerAccount, change: dict[str, object]
) -> None:
    with transaction.atomic():
        transfer("pay-1", funded, merchant, 700, kind="payment", now=NOW)
    before = tables()
    args: dict[str, object] = {"amount": 700, "kind": "payment", "credit": "merchant:1", **change}
    with pytest.raises(TransferIdReused) as err, transaction.atomic():
        transfer("pay-1", "wallet:1", now=NOW, **args)  # type: ignore[arg-type]
    assert err.value.status_code == 409
    assert tables() == before


def test_pending_holds_then_posts_in_part(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    hold(funded, merchant)
    assert balance(funded).available == 7_000
    assert balance(merchant) == Balance(credits_pending=3_000)
    with transaction.atomic():
        post = post_pending("post-1", "hold-1", 2_000, now=NOW)
    assert (post.state, post.amount, post.pending_id) == (TransferState.POSTING, 2_000, "hold-1")
    assert balance(funded) == Balance(debits_posted=2_000, credits_posted=10_000)
    assert balance(merchant) == Balance(credits_posted=2_000)
    assert check_ledger() == []


def test_post_without_amount_posts_all(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    hold(funded, merchant)
    with transaction.atomic():
        assert post_pending("post-1", "hold-1", now=NOW).amount == 3_000
    assert balance(merchant).net == 3_000


def test_void_releases_the_hold(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    hold(funded, merchant)
    with transaction.atomic():
        void = void_pending("void-1", "hold-1", now=NOW)
    assert (void.state, void.amount) == (TransferState.VOIDED, 3_000)
    assert balance(funded) == Balance(credits_posted=10_000)
    assert balance(merchant) == Balance()


def test_a_hold_counts_against_the_balance(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    hold(funded, merchant, 9_000)
    with pytest.raises(InsufficientFunds), transaction.atomic():
        hold(funded, merchant, 1_001, tid="hold-2")


@pytest.mark.parametrize(
    ("call", "error", "code"),
    [
        (lambda: post_pending("post-1", "hold-1", 3_001, now=NOW), InvalidInput, "post_exceeds_pending"),
        (lambda: post_pending("post-1", "hold-1", 0, now=NOW), InvalidInput, "invalid_amount"),
        (lambda: post_pending("post-1", "nothing", now=NOW), NotFound, "transfer_not_found"),
        (lambda: post_pending("post-1", "grant-1", now=NOW), InvalidInput, "not_pending"),
        (lambda: void_pending("void-1", "grant-1", now=NOW), InvalidInput, "not_pending"),
        (lambda: post_pending("hold-1", "hold-1", now=NOW), InvalidInput, "same_id"),
        (lambda: post_pending("post-1", "hold-1", now=NOW + HOUR), PendingNotOpen, "pending_not_open"),
    ],
)
def test_post_and_void_bad_input_writes_nothing(
    funded: LedgerAccount,
    merchant: LedgerAccount,
    call: Callable[[], Transfer],
    error: type[DomainError],
    code: str,
) -> None:
    hold(funded, merchant)
    before = tables()
    with pytest.raises(error) as err, transaction.atomic():
        call()
    assert err.value.code == code
    assert tables() == before


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (lambda: post_pending("a", "hold-1", now=NOW), lambda: post_pending("b", "hold-1", now=NOW)),
        (lambda: post_pending("a", "hold-1", now=NOW), lambda: void_pending("b", "hold-1", now=NOW)),
        (lambda: void_pending("a", "hold-1", now=NOW), lambda: void_pending("b", "hold-1", now=NOW)),
        (lambda: void_pending("a", "hold-1", now=NOW), lambda: post_pending("b", "hold-1", now=NOW)),
    ],
)
def test_a_pending_transfer_finishes_once(
    funded: LedgerAccount,
    merchant: LedgerAccount,
    first: Callable[[], Transfer],
    second: Callable[[], Transfer],
) -> None:
    hold(funded, merchant)
    with transaction.atomic():
        first()
    before = tables()
    with pytest.raises(PendingNotOpen) as err, transaction.atomic():
        second()
    assert "already" in err.value.message
    assert tables() == before


def test_post_repeat_is_idempotent_and_conflicting_repeat_is_409(
    funded: LedgerAccount, merchant: LedgerAccount
) -> None:
    hold(funded, merchant)
    with transaction.atomic():
        first = post_pending("post-1", "hold-1", 1_000, now=NOW)
    before = tables()
    with transaction.atomic():  # after the timeout too: the repeat returns the original
        assert post_pending("post-1", "hold-1", 1_000, now=NOW + 2 * HOUR).pk == first.pk
    for conflicting in (
        lambda: post_pending("post-1", "hold-1", 999, now=NOW),
        lambda: void_pending("post-1", "hold-1", now=NOW),
    ):
        with pytest.raises(TransferIdReused), transaction.atomic():
            conflicting()
    assert tables() == before


def test_expire_pending_releases_due_holds_once(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    hold(funded, merchant, 1_000, tid="h1")
    hold(funded, merchant, 2_000, tid="h2")
    with transaction.atomic():
        transfer("h3", funded, merchant, 500, kind="checkout", pending=True, now=NOW)  # no timeout
        transfer("h4", funded, merchant, 500, kind="checkout", pending=True, timeout=3 * HOUR, now=NOW)
        void_pending("v1", "h1", now=NOW)
        assert expire_pending(NOW + HOUR - timedelta(seconds=1)) == 0
        assert expire_pending(NOW + HOUR) == 1
        assert expire_pending(NOW + 2 * HOUR) == 0
    expiry = Transfer.objects.get(pending_id="h2")
    assert (expiry.pk, expiry.state, expiry.amount) == ("expired/h2", TransferState.EXPIRED, 2_000)
    assert balance(funded).available == 10_000 - 1_000
    assert check_ledger() == []
    with pytest.raises(PendingNotOpen), transaction.atomic():
        void_pending("v2", "h2", now=NOW)


def test_void_after_the_timeout_is_allowed(funded: LedgerAccount, merchant: LedgerAccount) -> None:
    hold(funded, merchant)
    with transaction.atomic():
        void_pending("v1", "hold-1", now=NOW + 5 * HOUR)
        assert expire_pending(NOW + 5 * HOUR) == 0
    assert balance(funded).available == 10_000


def test_credit_limit(db: None) -> None:
    with transaction.atomic():
        src = open_account(
            "clearing", AccountKind.CASH_CLEARING, credits_must_not_exceed_debits=True, now=NOW
        )
        other = open_account("fees", AccountKind.FEES, now=NOW)
        transfer("in", src, other, 100, kind="t", now=NOW)
        transfer("back", other, src, 100, kind="t", now=NOW)
    with pytest.raises(DomainError) as err, transaction.atomic():
        transfer("back-2", other, src, 1, kind="t", now=NOW)
    assert (err.value.status_code, err.value.code) == (409, "credit_limit_exceeded")
