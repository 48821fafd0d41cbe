"""The resident's vouchers (balances per programme and kind, what expires soon, buying with the
test card, the refund of the remainder, a statement per wallet) and a merchant's voucher sales
(posted, held, settled, payouts with fee and net)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from hyperlocal.catalog import services as catalog
from hyperlocal.catalog.models import Merchant
from hyperlocal.errors import DomainError, NotFound
from hyperlocal.orders.payments import get_provider
from hyperlocal.wallet import overview, selectors, services
from hyperlocal.wallet.programmes import Programme, VoucherKind
from hyperlocal.web.views.util import form_errors_text, refuse, user_of
from hyperlocal.web.wallet_forms import BuyForm, RefundForm, new_request_id

DEFAULT_BUY_WON = 100_000
STATEMENT_LINES = 200
# What each ledger movement of a wallet is, in the resident's words.
MOVEMENTS = {
    "purchase": pgettext_lazy("voucher movement", "bought (paid by card)"),
    "purchase_benefit": pgettext_lazy("voucher movement", "discount or bonus on buying"),
    "grant": pgettext_lazy("voucher movement", "granted by the programme"),
    "payment": pgettext_lazy("voucher movement", "paid at checkout"),
    "payment_refund": pgettext_lazy("voucher movement", "payment given back"),
    "cashback": pgettext_lazy("voucher movement", "cashback"),
    "refund": pgettext_lazy("voucher movement", "remainder refunded to the card"),
    "refund_clawback": pgettext_lazy("voucher movement", "unused discount back to the programme"),
    "expiry": pgettext_lazy("voucher movement", "expired"),
}
STATES = {
    "pending": pgettext_lazy("voucher movement", "held"),
    "posting": pgettext_lazy("voucher movement", "charged"),
    "voided": pgettext_lazy("voucher movement", "released"),
    "expired": pgettext_lazy("voucher movement", "hold expired"),
}


def _default_amount(programme: Programme, left: int) -> int:
    unit = programme.purchase_unit_won
    wanted = max(unit, DEFAULT_BUY_WON // unit * unit)
    return min(wanted, max(left // unit * unit, unit))


def _offer(request: HttpRequest, programme: Programme, bound: BuyForm | None) -> dict[str, Any]:
    """One programme on sale: its rules, what is left this month, and a form with a new id."""
    user = user_of(request)
    left = overview.month_left(programme, user, timezone.now())
    amount = _default_amount(programme, left)
    initial = {"programme": programme.code, "amount_won": amount, "request_id": new_request_id()}
    if bound is not None and bound.data.get("programme") == programme.code:
        # Keep what the resident typed (and its errors) with a new id: the refused attempt
        # changed nothing, and sending again is a new attempt.
        data = {**bound.data.dict(), "request_id": new_request_id()}  # type: ignore[attr-defined]
        form = BuyForm(data, auto_id=f"buy-{programme.code}-%s")
        form.is_valid()
        shown = form.cleaned_data.get("amount_won") or amount
    else:
        form = BuyForm(initial=initial, auto_id=f"buy-{programme.code}-%s")
        shown = amount
    unit = programme.purchase_unit_won
    valid_shown = isinstance(shown, int) and shown > 0 and shown % unit == 0
    return {
        "programme": programme,
        "name": overview.programme_name(programme),
        "rules": overview.rules_in_words(programme),
        "left_won": left,
        "left_text": overview.won_text(left),
        "form": form,
        "price": overview.price_words(programme, shown if valid_shown else amount),
    }


def _page(request: HttpRequest, *, bound: BuyForm | None = None, status: int = 200) -> HttpResponse:
    user = user_of(request)
    views = overview.my_wallets(user, now=timezone.now())
    by_programme: dict[int, list[overview.WalletView]] = {}
    for view in views:
        by_programme.setdefault(view.wallet.programme_id, []).append(view)
    groups = [
        {
            "programme": vs[0].wallet.programme,
            "name": overview.programme_name(vs[0].wallet.programme),
            "wallets": vs,
        }
        for vs in by_programme.values()
    ]
    context = {
        "groups": groups,
        "total_won": sum(v.balance.available_won for v in views),
        "expiring": sorted(
            ((at, won, v.wallet) for v in views for at, won in v.expiring_soon), key=lambda t: t[0]
        ),
        "offers": [_offer(request, p, bound) for p in overview.active_programmes()],
        "provider": get_provider(),
        "refund_id": new_request_id(),
        # The price line's words for the script that updates it as the amount is typed.
        "price_pattern": _("pay %(paid)s, receive %(face)s"),
        "won_pattern": _("%(amount)s won"),
    }
    return render(request, "web/wallet/wallet.html", context, status=status)


@login_required
def wallet_home(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def wallet_buy(request: HttpRequest) -> HttpResponse:
    form = BuyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not bought: %(errors)s") % {"errors": form_errors_text(form)})
        return _page(request, bound=form, status=422)
    data = form.cleaned_data
    now = timezone.now()
    try:
        with transaction.atomic():
            programme = services.get_programme(data["programme"])
            purchase = services.buy_vouchers(
                user_of(request),
                programme,
                data["amount_won"],
                request_id=data["request_id"],
                payment_token=data["payment_token"],
                now=now,
            )
    except DomainError as exc:
        return _page(request, bound=form, status=refuse(request, exc, _("Not bought:")))
    words = {
        "face": overview.won_text(purchase.face_won),
        "name": overview.programme_name(programme),
        "paid": overview.won_text(purchase.paid_won),
    }
    if purchase.purchased_at == now:
        messages.success(request, _("You bought %(face)s of %(name)s for %(paid)s.") % words)
    else:
        messages.info(
            request, _("This purchase was already made: %(face)s of %(name)s for %(paid)s.") % words
        )
    return redirect("web:wallet")


def _own_wallet(request: HttpRequest, pk: int) -> Any:
    try:
        return overview.my_wallet(user_of(request), pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def wallet_refund(request: HttpRequest, pk: int) -> HttpResponse:
    wallet = _own_wallet(request, pk)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not refunded: %(errors)s") % {"errors": form_errors_text(form)})
        return _page(request, status=422)
    now = timezone.now()
    try:
        with transaction.atomic():
            done = services.refund_remainder(
                user_of(request), wallet, request_id=form.cleaned_data["request_id"], now=now
            )
    except DomainError as exc:
        return _page(request, status=refuse(request, exc, _("Not refunded:")))
    words = {"won": overview.won_text(done.remainder_won), "cash": overview.won_text(done.cash_won)}
    if done.refunded_at == now:
        messages.success(request, _("Refunded the remainder of %(won)s: %(cash)s back to your card.") % words)
    else:
        messages.info(
            request, _("This refund was already made: %(won)s, %(cash)s back to your card.") % words
        )
    return redirect("web:wallet")


@login_required
def wallet_statement(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    wallet = _own_wallet(request, pk)
    context = {
        "view": overview.wallet_view(user, wallet, now=timezone.now()),
        "name": overview.programme_name(wallet.programme),
        "rows": [
            {
                "row": row,
                "what": MOVEMENTS.get(row.line.kind, row.line.kind),
                "state": STATES.get(row.line.state, ""),
            }
            for row in overview.statement_rows(wallet, limit=STATEMENT_LINES)
        ],
        "limit": STATEMENT_LINES,
    }
    return render(request, "web/wallet/statement.html", context)


# --- merchants ---------------------------------------------------------------------------------


def _merchant(request: HttpRequest) -> tuple[Merchant, list[Merchant]]:
    mine = list(catalog.staff_merchants(user_of(request)).order_by("name"))
    if not mine:
        raise PermissionDenied(_("Only a merchant's staff see its voucher sales."))
    wanted = request.GET.get("merchant")
    return next((m for m in mine if m.slug == wanted), mine[0]), mine


@login_required
def merchant_vouchers(request: HttpRequest) -> HttpResponse:
    merchant, mine = _merchant(request)
    takes = []
    for programme in overview.active_programmes():
        reasons = {
            kind: services.merchant_is_eligible(programme, merchant, kind) for kind in VoucherKind.values
        }
        takes.append(
            {
                "name": overview.programme_name(programme),
                "bought": reasons[VoucherKind.BOUGHT],
                "policy": reasons[VoucherKind.POLICY],
            }
        )
    context = {
        "merchant": merchant,
        "merchants": mine,
        "sales": selectors.merchant_sales(merchant),
        "takes": takes,
    }
    return render(request, "web/wallet/merchant.html", context)
