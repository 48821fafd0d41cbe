"""What the wallet pages and the wallet API show, read from the services and models: a
programme's rules in plain words, a resident's wallets with what expires when and whether the
remainder can be refunded yet, a statement with the balance after each movement. Reads only:
nothing here opens an account or moves money."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet, Sum
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import BusinessCategory, RevenueBand
from hyperlocal.errors import Conflict, InvalidInput, NotFound
from hyperlocal.wallet.models import LedgerAccount
from hyperlocal.wallet.programmes import (
    BASIS_POINTS,
    BenefitKind,
    Programme,
    VoucherGrant,
    VoucherKind,
    VoucherPurchase,
    Wallet,
)
from hyperlocal.wallet.services.accounts import balance
from hyperlocal.wallet.services.caps import PURCHASE, cap_code
from hyperlocal.wallet.services.money import ratio_of
from hyperlocal.wallet.services.purchases import price
from hyperlocal.wallet.services.refunds import used_share_bp
from hyperlocal.wallet.services.wallets import StatementLine, WalletBalance, balances, statement

EXPIRING_SOON = timedelta(days=90)
EXAMPLE_FACE_WON = 100_000
MAX_RECIPIENTS = 1_000  # on the grant form; the API takes up to the service's own limit
# The highest yearly revenue a band allows, for "bought vouchers only up to ...".
_BAND_LIMIT = {
    RevenueBand.UNDER_300M: gettext_lazy("300 million won"),
    RevenueBand.UNDER_1B: gettext_lazy("1 billion won"),
    RevenueBand.UNDER_3B: gettext_lazy("3 billion won"),
    RevenueBand.UNDER_10B: gettext_lazy("10 billion won"),
}


def won_text(amount: int) -> str:
    return _("%(amount)s won") % {"amount": f"{amount:,}"}


def percent_text(bp: int) -> str:
    """Basis points as a percentage for people: 1000 -> "10", 150 -> "1.5"."""
    return f"{bp / 100:g}"


def region_name(programme: Programme) -> str:
    region = programme.region
    return region.name_en if (get_language() or "ko").startswith("en") and region.name_en else region.name_ko


def programme_name(programme: Programme) -> str:
    return programme.display_name("en" if (get_language() or "ko").startswith("en") else "ko")


def active_programmes() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True).select_related("region").order_by("code")


def example_face(programme: Programme) -> int:
    unit = programme.purchase_unit_won
    return max(unit, EXAMPLE_FACE_WON // unit * unit)


def price_words(programme: Programme, amount_won: int) -> str:
    """ "pay 90,000 won, receive 100,000 won" for buying `amount_won` of vouchers."""
    paid, benefit = price(programme, amount_won)
    return _("pay %(paid)s, receive %(face)s") % {
        "paid": won_text(paid),
        "face": won_text(paid + benefit),
    }


def rules_in_words(programme: Programme) -> list[str]:
    """The programme's rules as sentences, in the active language."""
    pct = percent_text(programme.benefit_bp)
    face = example_face(programme)
    if programme.benefit == BenefitKind.DISCOUNT:
        benefit = _("%(pct)s %% discount: %(price)s of vouchers.") % {
            "pct": pct,
            "price": price_words(programme, face),
        }
    elif programme.benefit == BenefitKind.BONUS:
        benefit = _("%(pct)s %% bonus: %(price)s of vouchers.") % {
            "pct": pct,
            "price": price_words(programme, face),
        }
    else:
        benefit = _(
            "Vouchers cost their face value; %(pct)s %% of each payment comes back as cashback, "
            "up to %(cap)s a month."
        ) % {"pct": pct, "cap": won_text(programme.monthly_cashback_cap_won)}
    rules = [
        benefit,
        _("Sold in units of %(unit)s, up to %(cap)s a month per person.")
        % {
            "unit": won_text(programme.purchase_unit_won),
            "cap": won_text(programme.monthly_purchase_cap_won),
        },
    ]
    months = programme.validity_months
    if months % 12 == 0:
        years = months // 12
        rules.append(
            ngettext("Valid for %(n)s year from issue.", "Valid for %(n)s years from issue.", years)
            % {"n": years}
        )
    else:
        rules.append(
            ngettext("Valid for %(n)s month from issue.", "Valid for %(n)s months from issue.", months)
            % {"n": months}
        )
    rules.append(
        _(
            "Once %(pct)s %% of the vouchers bought have been used, the rest can be refunded "
            "(policy-issued vouchers cannot be)."
        )
        % {"pct": percent_text(programme.refund_threshold_bp)}
    )
    where = _("Spend them at merchants registered in %(region)s.") % {"region": region_name(programme)}
    excluded = [
        str(BusinessCategory(c).label)
        for c in programme.excluded_categories or []
        if c in BusinessCategory.values
    ]
    if excluded:
        where += " " + _("Not at: %(categories)s.") % {"categories": ", ".join(excluded)}
    rules.append(where)
    limit = _BAND_LIMIT.get(RevenueBand(programme.bought_revenue_cap))
    if limit is not None:
        rules.append(
            _(
                "Bought vouchers only at merchants with a yearly revenue up to %(limit)s; "
                "policy-issued vouchers at the larger ones too."
            )
            % {"limit": limit}
        )
    days = programme.settlement_every_days
    rules.append(
        ngettext(
            "Merchants are paid every day, less a %(fee)s %% fee.",
            "Merchants are paid every %(n)s days, less a %(fee)s %% fee.",
            days,
        )
        % {"n": days, "fee": percent_text(programme.settlement_fee_bp)}
    )
    return rules


def month_left(programme: Programme, user: User, now: datetime) -> int:
    """What the user may still buy this month (the cap account is not opened by reading)."""
    account = LedgerAccount.objects.filter(code=cap_code(programme, user.pk, PURCHASE, now)).first()
    if account is None:
        return programme.monthly_purchase_cap_won
    return max(balance(account).available, 0)


@dataclass(frozen=True)
class RefundStatus:
    refundable: bool
    used_bp: int  # share of the face value bought that was spent
    threshold_bp: int
    remainder_won: int
    cash_won: int  # what would go back to the card now
    reason: str  # why not, or what a refund gives


def refund_status(wb: WalletBalance) -> RefundStatus:
    wallet = wb.wallet
    programme = wallet.programme
    threshold = programme.refund_threshold_bp
    if wallet.kind != VoucherKind.BOUGHT:
        return RefundStatus(False, 0, threshold, 0, 0, _("Policy-issued vouchers cannot be refunded."))
    used, _face = used_share_bp(wallet)
    remainder = max(wb.available_won, 0)
    if wb.held_won:
        reason = _(
            "%(won)s are held for an order in progress: ask for a refund once it is delivered or cancelled."
        ) % {"won": won_text(wb.held_won)}
        return RefundStatus(False, used, threshold, remainder, 0, reason)
    if remainder <= 0:
        return RefundStatus(False, used, threshold, 0, 0, _("There is nothing left to refund."))
    if used < threshold:
        reason = _(
            "The remainder can be refunded once %(threshold)s %% of the vouchers bought have been used; "
            "you have used %(used)s %%."
        ) % {"threshold": percent_text(threshold), "used": f"{used / 100:.1f}"}
        return RefundStatus(False, used, threshold, remainder, 0, reason)
    totals = VoucherPurchase.objects.filter(wallet=wallet).aggregate(
        paid=Sum("paid_won"), face=Sum("face_won")
    )
    cash = min(ratio_of(remainder, totals["paid"] or 0, totals["face"] or 1), remainder)
    reason = _(
        "You have used %(used)s %% of the vouchers bought: the remainder of %(won)s can be refunded, "
        "%(cash)s back to your card (the unused discount goes back to the programme)."
    ) % {"used": f"{used / 100:.1f}", "won": won_text(remainder), "cash": won_text(cash)}
    return RefundStatus(True, used, threshold, remainder, cash, reason)


@dataclass(frozen=True)
class WalletView:
    balance: WalletBalance
    refund: RefundStatus
    expiring_soon: tuple[tuple[datetime, int], ...]

    @property
    def wallet(self) -> Wallet:
        return self.balance.wallet


def my_wallets(user: User, *, now: datetime) -> list[WalletView]:
    out = []
    for wb in balances(user, now=now):
        soon = tuple((at, won) for at, won in wb.expiring if at <= now + EXPIRING_SOON)
        out.append(WalletView(wb, refund_status(wb), soon))
    return out


def my_wallet(user: User, wallet_id: int) -> Wallet:
    """The user's own wallet; another resident's (or an unknown id) is NotFound (404)."""
    wallet = (
        Wallet.objects.filter(pk=wallet_id, user_id=user.pk)
        .select_related("programme__region", "account")
        .first()
    )
    if wallet is None:
        raise NotFound("no such wallet", field="wallet_id", code="wallet_not_found")
    return wallet


def wallet_view(user: User, wallet: Wallet, *, now: datetime) -> WalletView:
    return next(v for v in my_wallets(user, now=now) if v.wallet.pk == wallet.pk)


@dataclass(frozen=True)
class StatementRow:
    line: StatementLine
    balance_after_won: int  # the posted balance right after this movement


def statement_rows(wallet: Wallet, *, limit: int = 200) -> list[StatementRow]:
    """The statement, newest first, with the posted balance after each movement."""
    after = balance(wallet.account).net
    rows = []
    for line in statement(wallet, limit=limit):
        rows.append(StatementRow(line, after))
        after -= line.amount_won
    return rows


def recipients(text: str) -> list[int]:
    """User ids from a list of usernames or ids (separated by commas, spaces or new lines)."""
    words = [w for w in text.replace(",", " ").split() if w]
    if not words:
        raise InvalidInput(_("List at least one username or user id."), field="recipients")
    if len(words) > MAX_RECIPIENTS:
        raise InvalidInput(
            _("List at most %(n)s residents at once.") % {"n": f"{MAX_RECIPIENTS:,}"}, field="recipients"
        )
    ids = {int(w) for w in words if w.isdigit() and len(w) < 19}
    names = {w for w in words if not (w.isdigit() and len(w) < 19)}
    found = dict(User.objects.filter(username__in=names, is_active=True).values_list("username", "pk"))
    unknown = sorted(names - set(found))
    known_ids = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    unknown += sorted(str(i) for i in ids - known_ids)
    if unknown:
        raise InvalidInput(
            _("No active user %(names)s.") % {"names": ", ".join(unknown[:10])}, field="recipients"
        )
    return sorted(known_ids | set(found.values()))


def used_percent(bp: int) -> str:
    return f"{min(bp, BASIS_POINTS) / 100:.1f}"


def batch_conflict(programme: Programme, batch: str, face_won: int) -> None:
    """A grant batch is the grant's id: the same batch again with another amount is a Conflict
    (409), so that a repeat grants nobody twice and a mistake is not taken for a repeat."""
    other = (
        VoucherGrant.objects.filter(wallet__programme=programme, batch=batch)
        .exclude(face_won=face_won)
        .values_list("face_won", flat=True)
        .first()
    )
    if other is not None:
        raise Conflict(
            f"the batch {batch!r} granted {other:,} won each; use a new batch name for another amount",
            field="batch",
            code="batch_reused",
        )


def grants_in_batch(programme: Programme, batch: str) -> int:
    return VoucherGrant.objects.filter(wallet__programme=programme, batch=batch).count()
