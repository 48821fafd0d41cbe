"""A plain-Python model of the voucher programmes, for test_programme_stateful.py.

It knows nothing of the services: from the programme rules and the ledger flows (see
hyperlocal.wallet.services) it predicts what each request does to every ledger account (debits
pending, debits posted, credits pending, credits posted, summed over shards) or which error
refuses it. Each operation either returns what the service should return and changes the
model, or raises Refused (and the caller throws away the copy it ran on).

Expired vouchers as services/expiry.py sweeps them: a wallet is swept when one of its lots
expired after its last sweep (`swept_at`), or when a lot has expired and a hold was voided,
timed out or posted in part since (vouchers given back may have expired while held).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from hyperlocal.errors import Conflict, DomainError, InvalidInput, NotFound
from hyperlocal.orders.errors import PaymentDeclined
from hyperlocal.wallet.errors import InsufficientFunds, PendingNotOpen, TransferIdReused

SEOUL = ZoneInfo("Asia/Seoul")
BP = 10_000
DECLINE = "tok_test_decline"
Cols = list[int]  # debits_pending, debits_posted, credits_pending, credits_posted


class Refused(Exception):
    """The request must be refused with `error` (and `code`, when given)."""

    def __init__(self, error: type[DomainError], code: str | None = None) -> None:
        super().__init__(f"{error.__name__} {code or ''}")
        self.error = error
        self.code = code


class Repeat(Exception):
    """An idempotent repeat: the service returns the original and writes nothing."""


def half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up (exact, with fractions)."""
    return math.floor(Fraction(numerator, denominator) + Fraction(1, 2))


def month(t: datetime) -> str:
    return t.astimezone(SEOUL).strftime("%Y-%m")


def add_months(t: datetime, months: int) -> datetime:
    local = t.astimezone(SEOUL)
    years, month0 = divmod(local.month - 1 + months, 12)
    year = local.year + years
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    return local.replace(year=year, month=month0 + 1, day=day)


@dataclass(frozen=True)
class Rules:
    """A programme's rules as the test opens it."""

    code: str
    benefit: str  # "discount", "bonus" or "cashback"
    benefit_bp: int
    unit: int
    cap: int
    cashback_cap: int
    validity_months: int
    threshold_bp: int
    fee_bp: int
    excluded: tuple[str, ...] = ()  # business categories

    def account(self, part: str) -> str:
        return f"programme/{self.code}/{part}"

    def price(self, amount: int) -> tuple[int, int]:
        """(paid, benefit)."""
        if self.benefit == "discount":
            benefit = half_up(amount * self.benefit_bp, BP)
            return amount - benefit, benefit
        if self.benefit == "bonus":
            return amount, half_up(amount * self.benefit_bp, BP)
        return amount, 0


@dataclass(frozen=True)
class Shop:
    """A merchant: `key` names it in the test, `pk` in the database."""

    key: str
    pk: int
    in_region: bool
    category: str
    small: bool  # revenue band within the programmes' cap for bought vouchers

    def takes(self, rules: Rules, kind: str) -> bool:
        return self.in_region and self.category not in rules.excluded and (kind == "policy" or self.small)


@dataclass
class Lot:
    issued_at: datetime
    expires_at: datetime
    face: int


@dataclass
class WalletModel:
    rules: Rules
    user: int
    kind: str
    swept_at: datetime
    lots: list[Lot] = field(default_factory=list)
    released_since_sweep: bool = False  # a hold was voided or timed out since the last sweep
    paid: int = 0  # card payments of purchases
    face_bought: int = 0
    payments_posted: int = 0

    @property
    def code(self) -> str:
        return f"wallet/{self.rules.code}/{self.user}/{self.kind}"


@dataclass
class HoldModel:
    id: str
    wallet: WalletModel
    receivable: str
    amount: int
    timeout_at: datetime
    open: bool = True


@dataclass
class Model:
    acc: dict[str, Cols] = field(default_factory=dict)
    wallets: dict[tuple[str, int, str], WalletModel] = field(default_factory=dict)
    holds: list[HoldModel] = field(default_factory=list)
    purchases: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # -> (amount, token)
    bought: dict[tuple[str, str], int] = field(default_factory=dict)  # (wallet, month) -> counted
    grants: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (programme, batch, user) -> won
    refunds: dict[tuple[str, str], int] = field(default_factory=dict)  # (wallet, request id) -> won
    runs: dict[str, str] = field(default_factory=dict)  # settlement run id -> programme code
    receivables: dict[str, set[str]] = field(default_factory=dict)  # programme -> receivable codes

    # -- ledger primitives ----------------------------------------------------------------

    def open(self, code: str) -> None:
        self.acc.setdefault(code, [0, 0, 0, 0])

    def post(self, debit: str, credit: str, amount: int) -> None:
        assert amount > 0
        self.acc[debit][1] += amount
        self.acc[credit][3] += amount

    def pend(self, debit: str, credit: str, amount: int) -> None:
        self.acc[debit][0] += amount
        self.acc[credit][2] += amount

    def available(self, code: str) -> int:
        dp, dpo, _cp, cpo = self.acc.get(code, [0, 0, 0, 0])
        return cpo - dpo - dp

    def net(self, code: str) -> int:
        return self.acc[code][3] - self.acc[code][1]

    # -- wallets, caps and expiry ---------------------------------------------------------

    def wallet(self, rules: Rules, user: int, kind: str, now: datetime) -> WalletModel:
        key = (rules.code, user, kind)
        if key not in self.wallets:
            self.wallets[key] = WalletModel(rules, user, kind, swept_at=now)
            self.open(self.wallets[key].code)
        return self.wallets[key]

    def find_wallet(self, rules: Rules, user: int, kind: str) -> WalletModel | None:
        return self.wallets.get((rules.code, user, kind))

    def cap(self, rules: Rules, user: int, what: str, now: datetime) -> str:
        """The month's allowance account, opened and funded on first use."""
        code = f"cap/{rules.code}/{user}/{what}/{month(now)}"
        if code not in self.acc:
            self.open(code)
            allowance = rules.cap if what == "purchase" else rules.cashback_cap
            if allowance > 0:
                self.post(rules.account("caps"), code, allowance)
        return code

    def expired_due(self, w: WalletModel, now: datetime) -> int:
        """What is left of lots expired by `now`, lots being used soonest-expiring first."""
        used = self.acc[w.code][1]  # debits posted; no payment refunds in this model
        due = 0
        for lot in sorted(w.lots, key=lambda lot: (lot.expires_at, lot.issued_at)):
            take = min(used, lot.face)
            used -= take
            if lot.expires_at <= now:
                due += lot.face - take
        return due

    def unswept(self, w: WalletModel, now: datetime) -> bool:
        if any(w.swept_at < lot.expires_at <= now for lot in w.lots):
            return True
        return w.released_since_sweep and any(lot.expires_at <= now for lot in w.lots)

    def sweep(self, w: WalletModel, now: datetime) -> int:
        # Holds take the oldest vouchers first: expired ones still held are not swept yet.
        due = min(max(self.expired_due(w, now) - self.acc[w.code][0], 0), max(self.available(w.code), 0))
        if due > 0:
            self.post(w.code, w.rules.account("float"), due)
        w.swept_at = max(w.swept_at, now)
        w.released_since_sweep = False
        return due

    # -- the services -----------------------------------------------------------------------

    def buy(self, rules: Rules, user: int, amount: int, token: str, request_id: str, now: datetime) -> int:
        """Returns the face value credited."""
        if amount <= 0 or amount % rules.unit:
            raise Refused(InvalidInput)
        if amount > rules.cap:
            raise Refused(InvalidInput, "above_cap")
        w = self.wallet(rules, user, "bought", now)
        seen = self.purchases.get((w.code, request_id))
        if seen is not None:
            if seen != (amount, token):
                raise Refused(TransferIdReused)
            raise Repeat
        cap = self.cap(rules, user, "purchase", now)
        if amount > self.available(cap):
            raise Refused(Conflict, "monthly_cap_reached")
        if token == DECLINE:
            raise Refused(PaymentDeclined)
        self.post(cap, rules.account("caps"), amount)
        paid, benefit = rules.price(amount)
        self.post(rules.account("cash"), w.code, paid)
        if benefit:
            self.post(rules.account("budget"), w.code, benefit)
        w.lots.append(Lot(now, add_months(now, rules.validity_months), paid + benefit))
        w.paid += paid
        w.face_bought += paid + benefit
        self.purchases[(w.code, request_id)] = (amount, token)
        key = (w.code, month(now))
        self.bought[key] = self.bought.get(key, 0) + amount
        return paid + benefit

    def grant(self, rules: Rules, users: list[int], face: int, batch: str, now: datetime) -> int:
        if face <= 0:
            raise Refused(InvalidInput)
        granted = 0
        for user in sorted(set(users)):
            w = self.wallet(rules, user, "policy", now)
            given = self.grants.get((rules.code, batch, user))
            if given is not None:
                if given != face:  # a batch has one amount: another one needs a new batch name
                    raise Refused(Conflict, "grant_batch_reused")
                continue
            self.post(rules.account("budget"), w.code, face)
            w.lots.append(Lot(now, add_months(now, rules.validity_months), face))
            self.grants[(rules.code, batch, user)] = face
            granted += 1
        return granted

    def hold(
        self, w: WalletModel, shop: Shop, amount: int, hold_id: str, timeout_at: datetime, now: datetime
    ) -> None:
        if not shop.takes(w.rules, w.kind):
            raise Refused(InvalidInput, "voucher_not_eligible")
        if self.unswept(w, now):
            self.sweep(w, now)
        if amount > self.available(w.code):
            raise Refused(InsufficientFunds)
        receivable = f"merchant/{w.rules.code}/{shop.pk}"
        self.open(receivable)
        self.receivables.setdefault(w.rules.code, set()).add(receivable)
        self.pend(w.code, receivable, amount)
        self.holds.append(HoldModel(hold_id, w, receivable, amount, timeout_at))

    def _release(self, h: HoldModel, posted: int) -> None:
        h.open = False
        # Vouchers given back (a void, a timeout, the rest of a partial post) may have expired
        # meanwhile: the next spend sweeps.
        if posted < h.amount:
            h.wallet.released_since_sweep = True
        self.pend(h.wallet.code, h.receivable, -h.amount)
        if posted:
            self.post(h.wallet.code, h.receivable, posted)

    def post_hold(self, h: HoldModel, amount: int | None, now: datetime) -> tuple[int, int]:
        """Returns (posted, cashback)."""
        if amount is not None and amount > h.amount:
            raise Refused(InvalidInput, "post_exceeds_pending")
        if h.timeout_at <= now or not h.open:
            raise Refused(PendingNotOpen)
        posted = h.amount if amount is None else amount
        self._release(h, posted)
        h.wallet.payments_posted += posted
        return posted, self.cashback(h.wallet, posted, now)

    def cashback(self, w: WalletModel, paid: int, now: datetime) -> int:
        rules = w.rules
        if rules.benefit != "cashback" or rules.cashback_cap <= 0:
            return 0
        cap = self.cap(rules, w.user, "cashback", now)
        take = min(half_up(paid * rules.benefit_bp, BP), self.available(cap))
        if take <= 0:
            return 0
        self.post(cap, rules.account("caps"), take)
        self.post(rules.account("budget"), w.code, take)
        return take

    def void(self, h: HoldModel) -> None:
        if not h.open:
            raise Refused(PendingNotOpen)
        self._release(h, 0)

    def expire_holds(self, now: datetime) -> int:
        due = [h for h in self.holds if h.open and h.timeout_at <= now]
        for h in due:
            self._release(h, 0)
        return len(due)

    def expire_vouchers(self, now: datetime) -> int:
        """Returns how many wallets lost expired vouchers."""
        self.expire_holds(now)
        swept = 0
        for w in self.wallets.values():
            if self.unswept(w, now) and self.sweep(w, now) > 0:
                swept += 1
        return swept

    def refund(self, asking: int, w: WalletModel, request_id: str, now: datetime) -> tuple[int, int]:
        """Returns (cash, clawback)."""
        if w.user != asking:
            raise Refused(NotFound)
        if (w.code, request_id) in self.refunds:
            raise Repeat
        if w.kind != "bought":
            raise Refused(InvalidInput, "not_refundable")
        self.sweep(w, now)
        if self.acc[w.code][0]:
            raise Refused(Conflict, "wallet_has_holds")
        remainder = self.available(w.code)
        if remainder <= 0:
            raise Refused(Conflict, "nothing_to_refund")
        used_bp = min(w.payments_posted * BP // w.face_bought, BP) if w.face_bought else 0
        if used_bp < w.rules.threshold_bp:
            raise Refused(InvalidInput, "below_refund_threshold")
        cash = min(half_up(remainder * w.paid, w.face_bought), remainder)
        clawback = remainder - cash
        if cash:
            self.post(w.code, w.rules.account("cash"), cash)
        if clawback:
            self.post(w.code, w.rules.account("budget"), clawback)
        self.refunds[(w.code, request_id)] = remainder
        return cash, clawback

    def settle(self, rules: Rules, run_id: str) -> tuple[int, int]:
        """Returns (gross, fee) of the run."""
        if run_id in self.runs:
            if self.runs[run_id] != rules.code:
                raise Refused(Conflict, "run_id_reused")
            raise Repeat
        gross_total = fee_total = 0
        for receivable in sorted(self.receivables.get(rules.code, set())):
            gross = self.net(receivable)
            if gross <= 0:
                continue
            fee = half_up(gross * rules.fee_bp, BP)
            if fee:
                self.post(receivable, rules.account("fees"), fee)
            if gross - fee:
                self.post(receivable, rules.account("cash"), gross - fee)
            gross_total += gross
            fee_total += fee
        self.runs[run_id] = rules.code
        return gross_total, fee_total
