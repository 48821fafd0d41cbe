"""The home page: the resident's neighbourhood (or the district for visitors), setting a
home and verifying the neighbourhood with a GPS fix."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import hyperlocal.accounts.services as accounts
from hyperlocal.accounts.models import Household, NeighbourhoodVerification, User
from hyperlocal.errors import DomainError
from hyperlocal.geo import Point, haversine_m
from hyperlocal.hubs import services as hub_services
from hyperlocal.hubs.models import Hub
from hyperlocal.web.forms import HomeForm, JoinForm, LatLngForm, add_domain_error
from hyperlocal.web.maps import default_district, district_payload, neighbourhood_payload, region_name
from hyperlocal.web.templatetags.hyperlocal_web import metres
from hyperlocal.web.views.util import form_errors_text


def _open_hubs() -> list[Hub]:
    return list(hub_services.list_hubs(status=Hub.Status.OPEN))


def _user(request: HttpRequest) -> User:
    # Behind login_required: never anonymous.
    assert isinstance(request.user, User)
    return request.user


def _items(hubs: list[Hub]) -> list[dict[str, Any]]:
    return [{"hub": hub, "distance": None} for hub in hubs]


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        hubs = _open_hubs()
        context = {"map": district_payload(default_district(), hubs), "hub_items": _items(hubs)}
        return render(request, "web/home_visitor.html", context)
    assert isinstance(user, User)
    if user.household_id is None:
        return _set_home_page(request, HomeForm())
    return render(request, "web/home_resident.html", _resident_context(user, user.household))


def _set_home_page(request: HttpRequest, form: HomeForm) -> HttpResponse:
    hubs = _open_hubs()
    context = {
        "form": form,
        "join_form": JoinForm(),
        "map": district_payload(default_district(), hubs, pick=True),
    }
    return render(request, "web/home_set.html", context)


def _resident_context(user: User, household: Household | None) -> dict[str, Any]:
    assert household is not None
    now = timezone.now()
    current = accounts.current_verification(user, now=now)
    latest = current or NeighbourhoodVerification.objects.filter(user=user).order_by("-verified_at").first()
    nearby = hub_services.nearby_hubs(Point(household.lat, household.lng), limit=5)
    cells = accounts.neighbourhood_cells(household)
    return {
        "household": household,
        "dong_name": region_name(household.region),
        "verification": latest,
        "verified": current is not None,
        "hub_items": [{"hub": hub, "distance": distance} for hub, distance in nearby],
        "cell_count": len(cells),
        "map": neighbourhood_payload(household, cells, nearby),
    }


@login_required
@require_POST
def set_home(request: HttpRequest) -> HttpResponse:
    form = HomeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                accounts.set_home(
                    _user(request),
                    lat=data["lat"],
                    lng=data["lng"],
                    address=data["address"],
                    size=data["size"],
                )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Your home is set. Now verify your neighbourhood when you are there.")
            )
            return redirect("web:home")
    messages.error(request, _("Your home was not set: please check the form."))
    return _set_home_page(request, form)


@login_required
@require_POST
def verify(request: HttpRequest) -> HttpResponseRedirect:
    form = LatLngForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The position was not usable: %(errors)s") % {"errors": form_errors_text(form)}
        )
        return redirect("web:home")
    try:
        with transaction.atomic():
            verification = accounts.verify_neighbourhood(
                _user(request), lat=form.cleaned_data["lat"], lng=form.cleaned_data["lng"]
            )
    except DomainError as exc:
        messages.error(request, _verify_refusal(_user(request), form.cleaned_data, exc))
    else:
        until = formats.date_format(timezone.localtime(verification.expires_at), "DATE_FORMAT")
        messages.success(request, _("Neighbourhood verified. Valid until %(date)s.") % {"date": until})
    return redirect("web:home")


@login_required
@require_POST
def join(request: HttpRequest) -> HttpResponseRedirect:
    form = JoinForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("web:home")
    try:
        with transaction.atomic():
            accounts.join_household(_user(request), join_code=form.cleaned_data["join_code"])
    except DomainError as exc:
        messages.error(request, _("You did not join a household: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("You joined the household. Welcome home!"))
    return redirect("web:home")


def _verify_refusal(user: User, fix: dict[str, float], error: DomainError) -> str:
    household = user.household
    if error.field in ("lat", "lng") and household is not None:
        # The fix was well-formed, so the service found it too far from home: say how far.
        distance = haversine_m(Point(fix["lat"], fix["lng"]), Point(household.lat, household.lng))
        return _(
            "Not verified: you are about %(distance)s from your home. Verify from inside your "
            "neighbourhood, the blue cells on the map."
        ) % {"distance": metres(distance)}
    return _("Not verified: %(reason)s") % {"reason": error.message}
