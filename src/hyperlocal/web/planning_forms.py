"""Forms of the planner pages: they check the shape of the input (numbers are numbers); the
planning services decide what is allowed (clean_parameters, update_zone_rule, open_site) and
name the field they refuse, which the page shows beside it."""

from __future__ import annotations

import uuid
from dataclasses import MISSING, fields
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hyperlocal.planning.models import ZoneSplitRule
from hyperlocal.planning.services.parameters import PlanParameters

BIG = 10**12
MODEL_CHOICES = [
    ("mclp", pgettext_lazy("siting model", "maximal covering: the most demand with p new sites")),
    ("set_cover", pgettext_lazy("siting model", "set covering: the fewest sites for a target share")),
    ("p_median", pgettext_lazy("siting model", "p-median: the shortest rides with p new sites")),
]
MODE_CHOICES = [
    ("bike", pgettext_lazy("courier mode", "bicycle")),
    ("scooter", pgettext_lazy("courier mode", "scooter")),
    ("walk", pgettext_lazy("courier mode", "on foot")),
    ("car", pgettext_lazy("courier mode", "car")),
]
DEMAND_CHOICES = [
    ("blend", pgettext_lazy("demand source", "households and orders, blended")),
    ("population", pgettext_lazy("demand source", "households (population)")),
    ("orders", pgettext_lazy("demand source", "the platform's orders")),
]


ORDER_WEIGHT_CHOICES = [
    ("count", pgettext_lazy("order weight", "by the number of orders")),
    ("value", pgettext_lazy("order weight", "by the value of orders")),
]
ZONE_KIND_CHOICES = [
    ("", pgettext_lazy("zone kind", "any space")),
    ("community", pgettext_lazy("zone kind", "can hold community rooms")),
    ("popup", pgettext_lazy("zone kind", "can hold pop-up bays")),
    ("stay", pgettext_lazy("zone kind", "can hold stay rooms")),
]


def service_default(name: str) -> Any:
    """PlanParameters' default for a field: the form starts where the service would."""
    for f in fields(PlanParameters):
        if f.name == name:
            if f.default is not MISSING:
                return f.default
            if f.default_factory is not MISSING:
                return f.default_factory()
    raise KeyError(name)


def _percent(label: Any, initial: int, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, initial=initial, max_digits=9, decimal_places=4, help_text=help_text, required=False
    )


def new_request_id() -> str:
    return uuid.uuid4().hex


class PlanForm(forms.Form):
    """A site plan's parameters; percentages here, shares (0..1) for the service."""

    request_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    region_code = forms.ChoiceField(label=_("district"), required=False)
    model = forms.ChoiceField(label=_("model"), choices=MODEL_CHOICES, initial="mclp")
    p = forms.IntegerField(
        label=_("new sites (p)"),
        initial=3,
        min_value=-BIG,
        max_value=BIG,
        required=False,
        help_text=_("maximal covering and p-median"),
    )
    target = _percent(_("target share of demand (%)"), 95, _("set covering"))
    promise_minutes = forms.DecimalField(
        label=_("ride within (minutes)"), initial=15, max_digits=9, decimal_places=2, required=False
    )
    mode = forms.ChoiceField(label=_("courier mode"), choices=MODE_CHOICES, initial="bike")
    budget_won = forms.IntegerField(
        label=_("monthly rent budget (won)"),
        min_value=-BIG,
        max_value=BIG,
        required=False,
        help_text=_("for the new sites; empty for no budget"),
    )
    capacitated = forms.BooleanField(
        label=_("cap each site at its daily order capacity"),
        required=False,
    )
    time_limit_seconds = forms.DecimalField(
        label=_("time limit (seconds)"), initial=30, max_digits=9, decimal_places=2, required=False
    )
    demand_source = forms.ChoiceField(label=_("demand from"), choices=DEMAND_CHOICES, initial="blend")
    orders_share = _percent(
        _("how far each area follows its orders (%)"),
        50,
        _(
            "when blended: households set the level, orders where hubs deliver shape it; "
            "0 = the same everywhere"
        ),
    )
    growth = forms.CharField(
        label=_("growth per area"),
        max_length=2000,
        required=False,
        help_text=_("region code=factor, separated by commas, e.g. 1144066000=1.2"),
    )
    # The rarer ones ("More options" on the page).
    order_weight = forms.ChoiceField(label=_("weigh orders"), choices=ORDER_WEIGHT_CHOICES)
    orders_days = forms.IntegerField(
        label=_("orders of the last (days)"),
        min_value=-BIG,
        max_value=BIG,
        required=False,
    )
    orders_per_household_day = forms.DecimalField(
        label=_("orders a day per household"),
        max_digits=9,
        decimal_places=4,
        required=False,
        help_text=_("turns households into orders"),
    )
    available_by = forms.DateField(
        label=_("spaces available by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("empty for any date"),
    )
    zone_kind = forms.ChoiceField(label=_("only spaces that"), choices=ZONE_KIND_CHOICES, required=False)
    include_existing_hubs = forms.BooleanField(
        label=_("count the open hubs as sites already there"),
        required=False,
    )
    curve_up_to = forms.IntegerField(
        label=_("compare p = 1 to"),
        initial=0,
        min_value=-BIG,
        max_value=BIG,
        required=False,
        help_text=_("0 for no comparison"),
    )

    SERVICE_DEFAULTS = (
        "capacitated",
        "include_existing_hubs",
        "order_weight",
        "orders_days",
        "orders_per_household_day",
    )
    MORE_OPTIONS = (
        "demand_source",
        "orders_share",
        "order_weight",
        "orders_days",
        "orders_per_household_day",
        "growth",
        "available_by",
        "zone_kind",
        "include_existing_hubs",
    )

    def __init__(self, *args: Any, districts: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Where the service starts (read now: its defaults may change without this form).
        for name in self.SERVICE_DEFAULTS:
            default = service_default(name)
            self.fields[name].initial = Decimal(str(default)) if isinstance(default, float) else default
        region: Any = self.fields["region_code"]
        region.choices = districts or []
        if districts:  # the planner's first district (the only one: a hidden field on the page)
            region.initial = districts[0][0]

    def raw(self) -> dict[str, object]:
        """The cleaned values as clean_parameters takes them; empty fields are left out (the
        service's defaults)."""
        data = self.cleaned_data
        raw: dict[str, object] = {}
        for name in ("region_code", "model", "mode", "demand_source", "growth", "order_weight", "zone_kind"):
            if data.get(name):
                raw[name] = data[name]
        for name in ("p", "budget_won", "curve_up_to", "orders_days", "available_by"):
            if data.get(name) is not None:
                raw[name] = data[name]
        for name in ("promise_minutes", "time_limit_seconds", "orders_per_household_day"):
            if data.get(name) is not None:
                raw[name] = float(data[name])
        for name in ("target", "orders_share"):
            if data.get(name) is not None:
                raw[name] = float(data[name] / 100)
        raw["capacitated"] = bool(data.get("capacitated"))
        raw["include_existing_hubs"] = bool(data.get("include_existing_hubs"))
        return raw

    @property
    def more_options_open(self) -> bool:
        """The "More options" group starts open when one of its fields was refused."""
        return any(name in self.errors for name in self.MORE_OPTIONS)


class OpenSiteForm(forms.Form):
    name = forms.CharField(label=_("hub name"), max_length=120, required=False)
    slug = forms.CharField(
        label=_("address on the site (slug)"),
        max_length=120,
        required=False,
        help_text=_("letters, digits and hyphens, e.g. mangwon-hub"),
    )
    promise_minutes = forms.IntegerField(
        label=_("delivery promise (minutes)"), min_value=-10_000, max_value=10_000, required=False
    )
    courier_mode = forms.ChoiceField(label=_("couriers"), choices=MODE_CHOICES[:3], required=False)

    def values(self) -> dict[str, Any]:
        """Only what was filled in: the service picks the rest."""
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ZoneRuleForm(forms.Form):
    """The zone split rule in percentages of the floor area (the rule keeps basis points)."""

    PERCENT_FIELDS = {"warehouse_pct": "warehouse_bp", "community_pct": "community_bp",
                      "popup_pct": "popup_bp", "stay_pct": "stay_bp"}  # fmt: skip

    region = forms.CharField(widget=forms.HiddenInput)
    warehouse_pct = forms.DecimalField(
        label=_("warehouse share of the floor (%)"), max_digits=7, decimal_places=2
    )
    community_pct = forms.DecimalField(label=_("community rooms (%)"), max_digits=7, decimal_places=2)
    popup_pct = forms.DecimalField(label=_("pop-up bays (%)"), max_digits=7, decimal_places=2)
    stay_pct = forms.DecimalField(label=_("stay rooms (%)"), max_digits=7, decimal_places=2)
    popup_bay_m2 = forms.IntegerField(label=_("one pop-up bay (m²)"), min_value=-BIG, max_value=BIG)
    stay_room_m2 = forms.IntegerField(label=_("one stay room (m²)"), min_value=-BIG, max_value=BIG)
    orders_per_warehouse_m2 = forms.FloatField(label=_("orders a day per m² of warehouse"))

    @classmethod
    def for_rule(cls, rule: ZoneSplitRule, region_code: str) -> ZoneRuleForm:
        initial: dict[str, Any] = {
            "region": region_code,
            "popup_bay_m2": rule.popup_bay_m2,
            "stay_room_m2": rule.stay_room_m2,
            "orders_per_warehouse_m2": rule.orders_per_warehouse_m2,
        }
        for field, bp_field in cls.PERCENT_FIELDS.items():
            initial[field] = Decimal(getattr(rule, bp_field)) / 100
        return cls(initial=initial)

    def values(self) -> dict[str, Any]:
        """The rule's values as update_zone_rule takes them (basis points)."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "region"}
        for field, bp_field in self.PERCENT_FIELDS.items():
            bp = data.pop(field) * 100
            data[bp_field] = int(bp) if bp == int(bp) else float(bp)  # a fraction of a basis point is refused
        return data

    def field_for(self, service_field: str | None) -> str | None:
        """The form field that shows a refusal about the service's field."""
        for field, bp_field in self.PERCENT_FIELDS.items():
            if service_field == bp_field:
                return field
        return service_field if service_field in self.fields else None
