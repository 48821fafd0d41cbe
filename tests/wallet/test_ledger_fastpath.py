"""The ledger's one-statement path on PostgreSQL (services/ledger.py, shards.py).

A transfer, a post and a void are each one SQL statement (plus SAVEPOINT and RELEASE unless
savepoint=False). Every other outcome must be exactly the statement by statement path's: each
case runs on both paths from the same state (the slow one by switching the fast one off) and
must give the same result or error (class, code, message, field) and leave the same rows;
refusals leave every row as it was. Threads show that the rows lock in order (no deadlock
between opposite transfers) and that a pending transfer finishes once under contention.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from hyperlocal.errors import DomainError, InvalidInput, NotFound
from hyperlocal.wallet.errors import (
    CreditLimitExceeded,
    InsufficientFunds,
    PendingNotOpen,
    TransferIdReused,
)
from hyperlocal.wallet.models import AccountKind, LedgerAccount, Transfer
from hyperlocal.wallet.services import (
    balance,
    check_ledger,
    expire_pending,
    open_account,
    post_pending,
    transfer,
    void_pending,
)
from hyperlocal.wallet.services import ledger as ledger_module
from tests.wallet.conftest import NOW, tables

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db]
HOUR = timedelta(hours=1)
CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
FIELDS = [f.attname for f in Transfer._meta.concrete_fields]


@pytest.fixture
def book(db: None) -> dict[str, LedgerAccount]:
    """Accounts opened in this order, so that ids give the lock order: a merchant before the
    wallet (a payment to it locks the merchant's row first, the wallet's second) and one after
    it; a 16-shard float; a clearing account with a credit limit. The wallet has 10,000 won and
    a pending payment "hold-1" of 3,000 won (timeout in an hour) to the late merchant."""
    with transaction.atomic():
        accounts = {
            "early": open_account("merchant:early", AccountKind.MERCHANT_RECEIVABLE, now=NOW),
            "wallet": open_account(
                "wallet:1", AccountKind.RESIDENT_WALLET, debits_must_not_exceed_credits=True, now=NOW
            ),
            "late": open_account("merchant:late", AccountKind.MERCHANT_RECEIVABLE, now=NOW),
            "float": open_account("float", AccountKind.PROGRAMME_FLOAT, shards=16, now=NOW),
            "clearing": open_account(
                "clearing", AccountKind.CASH_CLEARING, credits_must_not_exceed_debits=True, now=NOW
            ),
        }
        transfer("grant-1", accounts["float"], accounts["wallet"], 10_000, kind="grant", now=NOW)
        transfer("fund-clearing", accounts["clearing"], accounts["float"], 500, kind="cash", now=NOW)
        transfer(
            "hold-1",
            accounts["wallet"],
            accounts["late"],
            3_000,
            kind="payment",
            pending=True,
            timeout=HOUR,
            now=NOW,
        )
    return accounts


@pytest.fixture
def counted() -> Iterator[CaptureQueriesContext]:
    """The statements sent inside a transaction that the test opened (no BEGIN/COMMIT)."""
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        yield ctx


def kinds(ctx: CaptureQueriesContext) -> list[str]:
    """Each statement as 'control' (savepoints) or its first word."""
    return [
        "control" if q["sql"].startswith(CONTROL) else q["sql"].split(None, 1)[0].upper()
        for q in ctx.captured_queries
    ]


# -- statements per call ---------------------------------------------------------------------


def test_a_transfer_is_one_statement(book: dict[str, LedgerAccount], counted: CaptureQueriesContext) -> None:
    transfer("pay-1", book["wallet"], book["late"], 1_000, kind="payment", now=NOW)
    assert kinds(counted) == ["control", "WITH", "control"]
    transfer("pay-2", book["wallet"], book["early"], 1_000, kind="payment", now=NOW, savepoint=False)
    transfer("pay-3", book["wallet"], book["late"], 500, kind="payment", pending=True, timeout=HOUR, now=NOW)
    assert kinds(counted) == ["control", "WITH", "control", "WITH", "control", "WITH", "control"]


def test_a_post_and_a_void_are_one_statement(
    book: dict[str, LedgerAccount], counted: CaptureQueriesContext
) -> None:
    transfer(
        "hold-2", book["wallet"], book["early"], 500, kind="payment", pending=True, now=NOW, savepoint=False
    )
    post_pending("post-1", "hold-1", 2_000, now=NOW)
    void_pending("void-2", "hold-2", now=NOW, savepoint=False)
    assert kinds(counted) == ["WITH", "control", "WITH", "control", "WITH"]
    assert balance(book["wallet"]).available == 8_000
    assert check_ledger() == []


def test_expiry_is_one_statement_per_pending_transfer(
    book: dict[str, LedgerAccount], counted: CaptureQueriesContext
) -> None:
    assert expire_pending(NOW + HOUR) == 1
    assert kinds(counted) == ["SELECT", "control", "WITH", "control"]
    assert balance(book["wallet"]).available == 10_000


# -- the same outcomes as the statement by statement path ------------------------------------


class _Undo(Exception):
    pass


@dataclass(frozen=True)
class Outcome:
    result: tuple[object, ...]
    rows: tuple[list[tuple[object, ...]], ...]


def fields(t: Transfer) -> tuple[object, ...]:
    return tuple(getattr(t, f) for f in FIELDS)


def run(call: Callable[[], Transfer], *, one_statement: bool, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """The call's result (the transfer's fields, and its pending transfer's) or error, and the
    ledger's rows afterwards; then everything is rolled back for the next run."""
    monkeypatch.setattr(ledger_module, "_one_statement", lambda: one_statement)
    result: tuple[object, ...] = ()
    rows: tuple[list[tuple[object, ...]], ...] = ()
    try:
        with transaction.atomic():
            try:
                t = call()
                stored = Transfer.objects.get(pk=t.pk)
                assert fields(stored) == fields(t)  # what came back is what was written
                result = ("ok", fields(t), fields(t.pending) if t.pending is not None else None)
            except DomainError as exc:
                result = (type(exc).__name__, exc.code, exc.message, exc.field)
            rows = tables()
            raise _Undo
    except _Undo:
        pass
    return Outcome(result, rows)


def both_paths(call: Callable[[], Transfer], monkeypatch: pytest.MonkeyPatch) -> Outcome:
    before = tables()
    fast = run(call, one_statement=True, monkeypatch=monkeypatch)
    assert tables() == before
    slow = run(call, one_statement=False, monkeypatch=monkeypatch)
    assert fast == slow
    return fast


def refused(outcome: Outcome, error: type[DomainError], code: str, rows: object) -> str:
    assert outcome.result[:2] == (error.__name__, code), outcome.result
    assert outcome.rows == rows  # nothing written
    return str(outcome.result[2])


Call = Callable[[dict[str, LedgerAccount]], Transfer]

SUCCEEDS: dict[str, Call] = {
    "posted": lambda b: transfer("pay", b["wallet"], b["late"], 7_000, kind="payment", now=NOW),
    "exactly the balance": lambda b: transfer("pay", b["wallet"], b["early"], 7_000, kind="payment", now=NOW),
    "pending": lambda b: transfer(
        "h", "wallet:1", "merchant:early", 6_999, kind="payment", pending=True, timeout=HOUR, now=NOW
    ),
    "into a sharded account": lambda b: transfer("back", b["wallet"], b["float"], 10, kind="refund", now=NOW),
    "up to a credit limit": lambda b: transfer("c", b["float"], b["clearing"], 500, kind="cash", now=NOW),
    "repeat": lambda b: transfer(
        "hold-1", b["wallet"], b["late"], 3_000, kind="payment", pending=True, timeout=HOUR, now=NOW + HOUR
    ),
    "post in full": lambda b: post_pending("post", "hold-1", now=NOW),
    "post in part": lambda b: post_pending("post", "hold-1", 1_234, now=NOW + HOUR - timedelta(seconds=1)),
    "void": lambda b: void_pending("void", "hold-1", now=NOW),
    "void after the timeout": lambda b: void_pending("void", "hold-1", now=NOW + 2 * HOUR),
}


@pytest.mark.parametrize("case", SUCCEEDS)
def test_successes_write_the_same_rows(
    book: dict[str, LedgerAccount], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    outcome = both_paths(lambda: SUCCEEDS[case](book), monkeypatch)
    assert outcome.result[0] == "ok"


def test_a_repeat_returns_the_original_even_when_it_would_no_longer_fit(
    book: dict[str, LedgerAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    def pay_all() -> Transfer:
        return transfer("pay-all", book["wallet"], book["late"], 7_000, kind="payment", now=NOW)

    with transaction.atomic():
        first = pay_all()
    before = tables()
    outcome = both_paths(pay_all, monkeypatch)
    assert outcome.result[1] == fields(first)
    assert outcome.rows == before


@pytest.mark.parametrize("case", ["post", "void"])
def test_repeats_of_a_finish_return_the_original(
    book: dict[str, LedgerAccount], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    def finish() -> Transfer:
        if case == "post":
            return post_pending("fin", "hold-1", 1_000, now=NOW)
        return void_pending("fin", "hold-1", now=NOW)

    with transaction.atomic():
        first = finish()
    before = tables()
    outcome = both_paths(finish, monkeypatch)  # an hour later too: the repeat returns the original
    assert outcome.result[1] == fields(first)
    assert outcome.rows == before


REFUSED: dict[str, tuple[Call, type[DomainError], str]] = {
    # the wallet's row is the first the payment locks: nothing changes
    "over the balance, wallet locked first": (
        lambda b: transfer("pay", b["wallet"], b["late"], 7_001, kind="payment", now=NOW),
        InsufficientFunds,
        "insufficient_funds",
    ),
    # the merchant's row changes first, then the wallet refuses: the savepoint undoes both
    "over the balance, wallet locked second": (
        lambda b: transfer("pay", b["wallet"], b["early"], 7_001, kind="payment", now=NOW),
        InsufficientFunds,
        "insufficient_funds",
    ),
    "a hold over the balance": (
        lambda b: transfer("h", b["wallet"], b["early"], 7_001, kind="payment", pending=True, now=NOW),
        InsufficientFunds,
        "insufficient_funds",
    ),
    "over a credit limit": (
        lambda b: transfer("c", b["float"], b["clearing"], 501, kind="cash", now=NOW),
        CreditLimitExceeded,
        "credit_limit_exceeded",
    ),
    "repeat with another amount": (
        lambda b: transfer(
            "hold-1", b["wallet"], b["late"], 3_001, kind="payment", pending=True, timeout=HOUR, now=NOW
        ),
        TransferIdReused,
        "transfer_id_reused",
    ),
    "repeat with other accounts": (
        lambda b: transfer(
            "hold-1", b["wallet"], b["early"], 3_000, kind="payment", pending=True, timeout=HOUR, now=NOW
        ),
        TransferIdReused,
        "transfer_id_reused",
    ),
    "repeat as another kind": (
        lambda b: transfer("grant-1", b["float"], b["wallet"], 10_000, kind="other", now=NOW),
        TransferIdReused,
        "transfer_id_reused",
    ),
    "post after the timeout": (
        lambda b: post_pending("post", "hold-1", now=NOW + HOUR),
        PendingNotOpen,
        "pending_not_open",
    ),
    "post more than held": (
        lambda b: post_pending("post", "hold-1", 3_001, now=NOW),
        InvalidInput,
        "post_exceeds_pending",
    ),
    "post of a posted transfer": (
        lambda b: post_pending("post", "grant-1", now=NOW),
        InvalidInput,
        "not_pending",
    ),
    "void of an unknown transfer": (
        lambda b: void_pending("void", "nothing", now=NOW),
        NotFound,
        "transfer_not_found",
    ),
    "post with the id of another transfer": (
        lambda b: post_pending("grant-1", "hold-1", now=NOW),
        TransferIdReused,
        "transfer_id_reused",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refusals_are_the_same_and_write_nothing(
    book: dict[str, LedgerAccount], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    call, error, code = REFUSED[case]
    before = tables()
    outcome = both_paths(lambda: call(book), monkeypatch)
    refused(outcome, error, code, before)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("post", "post"),
        ("post", "void"),
        ("void", "post"),
        ("void", "void"),
        ("expire", "post"),
        ("expire", "void"),
    ],
)
def test_a_finished_pending_transfer_refuses_the_same_way(
    book: dict[str, LedgerAccount], monkeypatch: pytest.MonkeyPatch, first: str, second: str
) -> None:
    with transaction.atomic():
        if first == "post":
            post_pending("first", "hold-1", 1_000, now=NOW)
        elif first == "void":
            void_pending("first", "hold-1", now=NOW)
        else:
            assert expire_pending(NOW + HOUR) == 1
    before = tables()
    outcome = both_paths(
        lambda: (
            post_pending("second", "hold-1", now=NOW)
            if second == "post"
            else void_pending("second", "hold-1", now=NOW)
        ),
        monkeypatch,
    )
    message = refused(outcome, PendingNotOpen, "pending_not_open", before)
    assert "already" in message or "timed out" in message


def test_the_refusal_message_is_the_slow_paths(
    book: dict[str, LedgerAccount], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tables()
    outcome = both_paths(
        lambda: transfer("pay", book["wallet"], book["early"], 7_500, kind="payment", now=NOW), monkeypatch
    )
    message = refused(outcome, InsufficientFunds, "insufficient_funds", before)
    assert message == "account wallet:1 has 7000 won available, 7500 won were asked for"


def test_expiry_writes_the_same_rows(book: dict[str, LedgerAccount], monkeypatch: pytest.MonkeyPatch) -> None:
    with transaction.atomic():
        transfer(
            "hold-2", book["wallet"], book["early"], 100, kind="payment", pending=True, timeout=HOUR, now=NOW
        )
        void_pending("void-2", "hold-2", now=NOW)
    counts = []

    def expire() -> Transfer:
        counts.append(expire_pending(NOW + 2 * HOUR))
        return Transfer.objects.get(pk="expired/hold-1")

    outcome = both_paths(expire, monkeypatch)
    assert outcome.result[0] == "ok"
    assert counts == [1, 1]


# -- savepoint=False -------------------------------------------------------------------------


def test_without_savepoint_a_refused_limit_dooms_the_callers_transaction(
    book: dict[str, LedgerAccount],
) -> None:
    before = tables()
    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            transfer("pay", book["wallet"], book["early"], 7_001, kind="payment", now=NOW, savepoint=False)
        assert transaction.get_rollback()  # the INSERT and the merchant's row are rolled back with it
        with pytest.raises(TransactionManagementError):
            tables()
    assert tables() == before


@pytest.mark.parametrize(
    "call",
    [
        lambda b: transfer("hold-1", b["wallet"], b["late"], 1, kind="payment", now=NOW, savepoint=False),
        lambda b: post_pending("post", "hold-1", now=NOW + HOUR, savepoint=False),
        lambda b: post_pending("post", "hold-1", 3_001, now=NOW, savepoint=False),
        lambda b: void_pending("void", "nothing", now=NOW, savepoint=False),
    ],
    ids=["conflicting repeat", "timed out", "more than held", "unknown"],
)
def test_without_savepoint_an_error_that_wrote_nothing_leaves_the_transaction_usable(
    book: dict[str, LedgerAccount], call: Call
) -> None:
    before = tables()
    with transaction.atomic():
        with pytest.raises(DomainError):
            call(book)
        assert not transaction.get_rollback()
        assert tables() == before
        transfer("pay", book["wallet"], book["late"], 100, kind="payment", now=NOW, savepoint=False)
    assert balance(book["late"]).credits_posted == 100


def test_without_savepoint_a_repeat_returns_the_original(book: dict[str, LedgerAccount]) -> None:
    with transaction.atomic():
        again = transfer(
            "hold-1",
            book["wallet"],
            book["late"],
            3_000,
            kind="payment",
            pending=True,
            timeout=HOUR,
            now=NOW,
            savepoint=False,
        )
        post = post_pending("post", "hold-1", 2_500, now=NOW, savepoint=False)
        assert post_pending("post", "hold-1", 2_500, now=NOW, savepoint=False).pk == post.pk
    assert again.created_at == NOW
    assert balance(book["late"]).credits_posted == 2_500
    assert check_ledger() == []


# -- threads ---------------------------------------------------------------------------------

THREADS = 16


def run_threads(work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("savepoint", [True, False])
def test_opposite_transfers_between_two_rows_never_deadlock(savepoint: bool) -> None:
    """Half the threads pay a -> b, half b -> a, on one-shard accounts: if a statement locked
    the debit row before the credit row, these would deadlock (PostgreSQL aborts one)."""
    with transaction.atomic():
        a = open_account("a", AccountKind.FEES, now=NOW)
        b = open_account("b", AccountKind.FEES, now=NOW)

    def pay(n: int) -> None:
        for i in range(15):
            debit, credit = (a, b) if (n + i) % 2 else (b, a)
            with transaction.atomic():
                transfer(f"t-{n}-{i}", debit, credit, 1 + n, kind="t", now=NOW, savepoint=savepoint)

    assert run_threads(pay) == []
    assert Transfer.objects.count() == THREADS * 15
    assert balance(a).net == -balance(b).net
    assert check_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_finishes_of_one_pending_transfer_finish_it_once() -> None:
    with transaction.atomic():
        float_ = open_account("float", AccountKind.PROGRAMME_FLOAT, shards=16, now=NOW)
        wallet = open_account(
            "wallet", AccountKind.RESIDENT_WALLET, debits_must_not_exceed_credits=True, now=NOW
        )
        merchant = open_account("merchant", AccountKind.MERCHANT_RECEIVABLE, now=NOW)
        transfer("grant", float_, wallet, 10_000, kind="grant", now=NOW)
        transfer("hold", wallet, merchant, 4_000, kind="payment", pending=True, timeout=HOUR, now=NOW)
    won: list[str] = []

    def finish(n: int) -> None:
        try:
            with transaction.atomic():
                if n % 4 == 0:
                    void_pending(f"void-{n}", "hold", now=NOW)
                elif n % 4 == 1:
                    expire_pending(NOW + HOUR)
                    return
                else:
                    post_pending(f"post-{n}", "hold", 1_000 + n, now=NOW + HOUR - timedelta(seconds=1))
            won.append(f"{n}")
        except PendingNotOpen:
            pass

    assert run_threads(finish) == []
    finishing = list(Transfer.objects.filter(pending_id="hold"))
    assert len(finishing) == 1
    assert len(won) + Transfer.objects.filter(pk="expired/hold").count() == 1
    assert balance(wallet).debits_pending == 0
    assert check_ledger() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_write_once() -> None:
    with transaction.atomic():
        float_ = open_account("float", AccountKind.PROGRAMME_FLOAT, shards=16, now=NOW)
        wallet = open_account(
            "wallet", AccountKind.RESIDENT_WALLET, debits_must_not_exceed_credits=True, now=NOW
        )
        transfer("grant", float_, wallet, 1_000, kind="grant", now=NOW)
        merchant = open_account("merchant", AccountKind.MERCHANT_RECEIVABLE, now=NOW)
    results: list[tuple[str, int]] = []

    def pay(n: int) -> None:
        try:
            with transaction.atomic():
                t = transfer(
                    "pay", wallet, merchant, 600 + (n % 2), kind="payment", now=NOW, savepoint=n % 3 != 0
                )
            results.append(("ok", t.amount))
        except (TransferIdReused, InsufficientFunds) as exc:
            results.append((exc.code, 0))

    assert run_threads(pay) == []
    stored = Transfer.objects.get(pk="pay")
    assert results.count(("ok", stored.amount)) == THREADS // 2
    assert results.count(("transfer_id_reused", 0)) == THREADS // 2
    assert balance(wallet).available == 1_000 - stored.amount
    assert check_ledger() == []
