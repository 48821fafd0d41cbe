"""Forms of the voucher pages: they check the shape of the input; the wallet services decide
whether it can be done. Every form that moves money carries a hidden request id made when the
page was rendered, so that sending it twice repeats the request instead of doing it twice."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hyperlocal.catalog.models import BusinessCategory, RevenueBand
from hyperlocal.wallet.programmes import BASIS_POINTS, Programme

MAX_WON = 10**12


def new_request_id() -> str:
    return uuid.uuid4().hex


def new_run_id(programme: Programme) -> str:
    """A settlement run id for the button on this page: the programme, the day, a random part."""
    return f"{programme.code}/{timezone.localdate():%Y-%m-%d}/{uuid.uuid4().hex[:8]}"


class RequestForm(forms.Form):
    request_id = forms.CharField(max_length=100, widget=forms.HiddenInput)


class BuyForm(RequestForm):
    programme = forms.SlugField(max_length=40, widget=forms.HiddenInput)
    amount_won = forms.IntegerField(label=_("vouchers to buy (won)"), min_value=-MAX_WON, max_value=MAX_WON)
    payment_token = forms.ChoiceField(
        label=_("test card"),
        choices=[
            ("tok_test_ok", _("test card that pays")),
            ("tok_test_decline", _("test card that is declined")),
        ],
        initial="tok_test_ok",
        widget=forms.RadioSelect,
    )


class RefundForm(RequestForm):
    pass


def _percent(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_value=100, max_digits=5, decimal_places=2, help_text=help_text
    )


class RulesForm(forms.Form):
    """A programme's rules as an admin reads them (percentages; the service keeps basis points)."""

    PERCENT_FIELDS = {"benefit_pct": "benefit_bp", "refund_threshold_pct": "refund_threshold_bp",
                      "settlement_fee_pct": "settlement_fee_bp"}  # fmt: skip

    name_ko = forms.CharField(label=pgettext_lazy("voucher rules", "Korean name"), max_length=100)
    name_en = forms.CharField(
        label=pgettext_lazy("voucher rules", "English name"), max_length=100, required=False
    )
    is_active = forms.BooleanField(
        label=pgettext_lazy("voucher rules", "on sale and spendable (untick to pause)"), required=False
    )
    monthly_purchase_cap_won = forms.IntegerField(
        label=pgettext_lazy("voucher rules", "monthly purchase cap per person (won)"),
        min_value=-MAX_WON,
        max_value=MAX_WON,
        help_text=pgettext_lazy("voucher rules", "a new cap applies from the next month"),
    )
    benefit_pct = _percent(_("discount, bonus or cashback (%)"))
    purchase_unit_won = forms.IntegerField(
        label=pgettext_lazy("voucher rules", "purchase unit (won)"), min_value=-MAX_WON, max_value=MAX_WON
    )
    monthly_cashback_cap_won = forms.IntegerField(
        label=pgettext_lazy("voucher rules", "monthly cashback cap per person (won)"),
        min_value=-MAX_WON,
        max_value=MAX_WON,
    )
    validity_months = forms.IntegerField(
        label=pgettext_lazy("voucher rules", "validity (months from issue)"), min_value=-1000, max_value=1000
    )
    refund_threshold_pct = _percent(
        _("share used before the rest can be refunded (%)"),
    )
    excluded_categories = forms.MultipleChoiceField(
        label=pgettext_lazy("voucher rules", "excluded business categories"),
        choices=BusinessCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bought_revenue_cap = forms.ChoiceField(
        label=_("highest yearly revenue for bought vouchers"), choices=RevenueBand.choices
    )
    settlement_fee_pct = _percent(_("merchant settlement fee (%)"))
    settlement_every_days = forms.IntegerField(
        label=pgettext_lazy("voucher rules", "settle every (days)"), min_value=-1000, max_value=1000
    )

    @classmethod
    def for_programme(cls, programme: Programme) -> RulesForm:
        initial: dict[str, Any] = {
            "name_ko": programme.name_ko,
            "name_en": programme.name_en,
            "is_active": programme.is_active,
            "monthly_purchase_cap_won": programme.monthly_purchase_cap_won,
            "purchase_unit_won": programme.purchase_unit_won,
            "monthly_cashback_cap_won": programme.monthly_cashback_cap_won,
            "validity_months": programme.validity_months,
            "excluded_categories": list(programme.excluded_categories or []),
            "bought_revenue_cap": programme.bought_revenue_cap,
            "settlement_every_days": programme.settlement_every_days,
        }
        for field, bp_field in cls.PERCENT_FIELDS.items():
            initial[field] = Decimal(getattr(programme, bp_field)) / 100
        return cls(initial=initial)

    def rules(self) -> dict[str, Any]:
        """The cleaned data as the programme service takes it (basis points)."""
        data = dict(self.cleaned_data)
        for field, bp_field in self.PERCENT_FIELDS.items():
            value: Decimal = data.pop(field)
            bp = value * BASIS_POINTS / 100
            data[bp_field] = int(bp) if bp == int(bp) else bp  # a fraction of a basis point is refused
        return data


class GrantForm(RequestForm):
    recipients = forms.CharField(
        label=_("residents (usernames or user ids)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=50_000,
        help_text=_("separated by commas, spaces or new lines"),
    )
    face_won = forms.IntegerField(label=_("vouchers each (won)"), min_value=-MAX_WON, max_value=MAX_WON)
    batch = forms.CharField(
        label=_("batch name"),
        max_length=60,
        required=False,
        help_text=_("a resident receives each batch once; leave empty for a new batch"),
    )


class SettleForm(forms.Form):
    run_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
