"""The programme admin's page: the dashboard of a programme of their region (issued, the float
in wallets, held, redeemed by merchant category and by neighbourhood, the share of spend at
local shops, expiring balances, settlements), a form to change its rules, a grant form and a
"run settlement now" button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from hyperlocal.errors import DomainError, NotAllowed, NotFound
from hyperlocal.wallet import overview, selectors, services
from hyperlocal.wallet.programmes import Programme, Settlement
from hyperlocal.wallet.services.settlement import run_settlement
from hyperlocal.web.views.util import form_errors_text, refuse, user_of
from hyperlocal.web.wallet_forms import GrantForm, RulesForm, SettleForm, new_request_id, new_run_id

RECENT_SETTLEMENTS = 10


def _managed(request: HttpRequest) -> list[Programme]:
    mine = list(services.managed_by(user_of(request)).order_by("code"))
    if not mine:
        raise PermissionDenied(_("Only the programme admins of a region see its voucher programme."))
    return mine


def _programme(request: HttpRequest, code: str) -> Programme:
    try:
        programme = services.get_programme(code)
        services.check_can_manage(user_of(request), programme)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None
    return programme


def _page(
    request: HttpRequest,
    programme: Programme,
    *,
    rules: RulesForm | None = None,
    grant: GrantForm | None = None,
    status: int = 200,
) -> HttpResponse:
    dashboard = selectors.programme_dashboard(programme, now=timezone.now())
    top = max([b.won for b in dashboard.by_category] + [n.won for n in dashboard.by_neighbourhood] + [1])
    share = dashboard.local_share
    context: dict[str, Any] = {
        "programme": programme,
        "programmes": _managed(request),
        "name": overview.programme_name(programme),
        "region": overview.region_name(programme),
        "rules_words": overview.rules_in_words(programme),
        "d": dashboard,
        "top_won": top,
        "local_pct": None if share is None else round(share * 100, 1),
        "settlements": Settlement.objects.filter(programme=programme).order_by("-created_at", "-pk")[
            :RECENT_SETTLEMENTS
        ],
        "rules_form": rules or RulesForm.for_programme(programme),
        "grant_form": grant or GrantForm(initial={"request_id": new_request_id()}),
        "settle_form": SettleForm(initial={"run_id": new_run_id(programme)}),
    }
    return render(request, "web/wallet/programme.html", context, status=status)


def _back(programme: Programme) -> HttpResponse:
    return redirect(f"{reverse('web:programme')}?programme={programme.code}")


@login_required
def programme_home(request: HttpRequest) -> HttpResponse:
    mine = _managed(request)
    wanted = request.GET.get("programme")
    programme = next((p for p in mine if p.code == wanted), mine[0])
    return _page(request, programme)


@login_required
@require_POST
def programme_rules(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    form = RulesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rules not changed: %(errors)s") % {"errors": form_errors_text(form)})
        return _page(request, programme, rules=form, status=422)
    try:
        with transaction.atomic():
            services.update_rules(user_of(request), programme, form.rules())
    except DomainError as exc:
        programme.refresh_from_db()
        return _page(request, programme, rules=form, status=refuse(request, exc, _("Rules not changed:")))
    messages.success(
        request, _("The rules of %(name)s are changed.") % {"name": overview.programme_name(programme)}
    )
    return _back(programme)


def _fresh(form: GrantForm) -> GrantForm:
    """The refused form as typed, with a new request id (the next send is a new attempt)."""
    data = {**form.data.dict(), "request_id": new_request_id()}  # type: ignore[attr-defined]
    fresh = GrantForm(data)
    fresh.is_valid()
    return fresh


@login_required
@require_POST
def programme_grant(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    form = GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing granted: %(errors)s") % {"errors": form_errors_text(form)})
        return _page(request, programme, grant=_fresh(form), status=422)
    data = form.cleaned_data
    batch = data["batch"].strip() or f"grant-{data['request_id'][:16]}"
    try:
        with transaction.atomic():
            user_ids = overview.recipients(data["recipients"])
            overview.batch_conflict(programme, batch, data["face_won"])
            granted = services.grant_vouchers(
                programme,
                user_ids,
                data["face_won"],
                batch=batch,
                granted_by=user_of(request),
                now=timezone.now(),
            )
    except DomainError as exc:
        return _page(
            request, programme, grant=_fresh(form), status=refuse(request, exc, _("Nothing granted:"))
        )
    already = len(user_ids) - granted
    words = {"n": granted, "won": overview.won_text(data["face_won"]), "batch": batch, "already": already}
    if granted:
        messages.success(
            request,
            ngettext(
                "Granted %(won)s to %(n)s resident (batch %(batch)s).",
                "Granted %(won)s to %(n)s residents (batch %(batch)s).",
                granted,
            )
            % words,
        )
    if already:
        messages.info(
            request,
            ngettext(
                "%(already)s listed resident already had batch %(batch)s.",
                "%(already)s listed residents already had batch %(batch)s.",
                already,
            )
            % words,
        )
    return _back(programme)


@login_required
@require_POST
def programme_settle(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    form = SettleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not settled: %(errors)s") % {"errors": form_errors_text(form)})
        return _page(request, programme, status=422)
    now = timezone.now()
    try:
        with transaction.atomic():
            run = run_settlement(
                programme, run_id=form.cleaned_data["run_id"], now=now, created_by=user_of(request)
            )
    except DomainError as exc:
        return _page(request, programme, status=refuse(request, exc, _("Not settled:")))
    paid = run.payouts.count()
    words = {
        "run": run.run_id,
        "n": paid,
        "gross": overview.won_text(run.gross_won),
        "fee": overview.won_text(run.fee_won),
        "net": overview.won_text(run.net_won),
    }
    if run.created_at != now:
        messages.info(request, _("Settlement %(run)s was already run.") % words)
    elif paid:
        messages.success(
            request,
            ngettext(
                "Settlement %(run)s: %(n)s merchant paid %(net)s (%(gross)s of sales less %(fee)s of fees).",
                "Settlement %(run)s: %(n)s merchants paid %(net)s (%(gross)s of sales less %(fee)s of fees).",
                paid,
            )
            % words,
        )
    else:
        messages.info(request, _("Settlement %(run)s: no merchant had posted sales to pay.") % words)
    return _back(programme)
