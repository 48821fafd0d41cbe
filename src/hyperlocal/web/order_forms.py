"""Forms of the shopping, hub and merchant pages: they check the shape of the input (numbers,
choices); the services decide whether the request can be met."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hyperlocal.orders.models import OrderStatus, Substitution
from hyperlocal.web.labels import SUBSTITUTION_CHOICES

MAX_QUANTITY = 99  # per cart line on the pages; the services have their own limit too
MAX_VOUCHER_WON = 10**12  # as the ledger's largest transfer; the services check the real limit


class CartLineForm(forms.Form):
    product = forms.IntegerField(label=_("product"), min_value=1)
    quantity = forms.IntegerField(label=_("quantity"), min_value=0, max_value=MAX_QUANTITY, initial=1)
    substitution = forms.ChoiceField(
        label=_("if it is out of stock"), choices=SUBSTITUTION_CHOICES, initial=Substitution.ALLOW
    )


class CheckoutForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("delivery"), choices=[("instant", _("now")), ("slot", _("in a slot"))], initial="instant"
    )
    slot = forms.DateTimeField(label=_("slot"), required=False)
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    payment_token = forms.ChoiceField(
        label=_("test card"),
        choices=[
            ("tok_test_ok", _("test card that pays")),
            ("tok_test_decline", _("test card that is declined")),
        ],
        initial="tok_test_ok",
    )
    # The part paid with local-currency vouchers (empty or 0: the card pays it all).
    voucher_won = forms.IntegerField(
        label=_("paid with vouchers (won)"), min_value=0, max_value=MAX_VOUCHER_WON, required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("delivery") == "slot" and not cleaned.get("slot"):
            self.add_error("slot", _("Choose a delivery slot."))
        if cleaned.get("voucher_won") is None:
            cleaned["voucher_won"] = 0
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("answer"), choices=[("yes", _("accept")), ("no", _("decline"))], coerce=lambda v: v == "yes"
    )


class PickForm(forms.Form):
    picked = forms.IntegerField(label=_("picked"), min_value=0, max_value=10_000)
    substitute = forms.IntegerField(label=_("substitute"), min_value=1, required=False)
    substitute_quantity = forms.IntegerField(
        label=_("substitute quantity"), min_value=0, max_value=10_000, required=False
    )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(
        label=_("new status"),
        choices=[
            (OrderStatus.OUT_FOR_DELIVERY, OrderStatus.OUT_FOR_DELIVERY.label),
            (OrderStatus.DELIVERED, OrderStatus.DELIVERED.label),
            (OrderStatus.DELIVERY_FAILED, OrderStatus.DELIVERY_FAILED.label),
            (OrderStatus.RETURNED, OrderStatus.RETURNED.label),
            (OrderStatus.CANCELLED, OrderStatus.CANCELLED.label),
        ],
    )
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class InboundForm(forms.Form):
    """One inbound shipment: a hub, when it arrives, and up to five product lines."""

    LINES = 5

    hub = forms.IntegerField(label=_("hub"), min_value=1)
    expected_at = forms.DateTimeField(
        label=_("expected at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, hubs: list[tuple[int, str]], products: list[tuple[int, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["hub"] = forms.TypedChoiceField(label=_("hub"), choices=hubs, coerce=int)
        choices = [("", "—"), *products]
        for n in range(self.LINES):
            self.fields[f"product_{n}"] = forms.TypedChoiceField(
                label=_("product"), choices=choices, coerce=int, required=False, empty_value=None
            )
            self.fields[f"quantity_{n}"] = forms.IntegerField(
                label=_("quantity"), min_value=1, max_value=10_000, required=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lines = []
        for n in range(self.LINES):
            product, quantity = cleaned.get(f"product_{n}"), cleaned.get(f"quantity_{n}")
            if product and not quantity:
                self.add_error(f"quantity_{n}", _("How many?"))
            elif quantity and not product:
                self.add_error(f"product_{n}", _("Which product?"))
            elif product and quantity:
                lines.append((product, quantity))
        if not lines and not self.errors:
            raise forms.ValidationError(_("Add at least one product and its quantity."))
        cleaned["lines"] = lines
        return cleaned

    def line_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"product_{n}"], self[f"quantity_{n}"]) for n in range(self.LINES)]
