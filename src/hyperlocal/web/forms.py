"""Forms of the web shell: they parse and check the shape of input; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hyperlocal.catalog.models import Origin, ProductCategory
from hyperlocal.errors import DomainError


class LatLngForm(forms.Form):
    lat = forms.FloatField(label=_("latitude"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("longitude"), min_value=-180, max_value=180)


class HomeForm(LatLngForm):
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    size = forms.IntegerField(label=_("people in the household"), min_value=1, max_value=50, initial=1)


class JoinForm(forms.Form):
    join_code = forms.CharField(label=_("join code"), max_length=20)


class SignupForm(forms.Form):
    username = forms.CharField(label=_("username"), max_length=150)
    display_name = forms.CharField(label=_("display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, strip=False)
    password_again = forms.CharField(label=_("password again"), widget=forms.PasswordInput, strip=False)
    preferred_language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES, initial="ko")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return cleaned


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), max_length=100, required=False)
    specialty = forms.BooleanField(label=_("Regional specialties only"), required=False)
    origin = forms.ChoiceField(label=_("origin"), required=False)
    category = forms.ChoiceField(label=_("category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        origins = Origin.objects.order_by("name_en")
        origin_field: Any = self.fields["origin"]
        origin_field.choices = [
            ("", _("All origins")),
            *((o.code, f"{o.name_ko} {o.name_en}") for o in origins),
        ]
        category_field: Any = self.fields["category"]
        category_field.choices = [("", _("All categories")), *ProductCategory.choices]


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the field it names, or on the whole form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
