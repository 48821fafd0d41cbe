"""Field rules for hubs, shared by the services, the admin forms and the file import.

Each cleaner returns the value to store or raises InvalidInput naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import InvalidCoordinates, Point, cell_of
from hyperlocal.hubs.models import CourierMode, Hub
from hyperlocal.regions.services import region_for_point

# A promise is a same-hour delivery window; longer ones would make service areas of
# tens of thousands of cells for no use.
MAX_PROMISE_MINUTES = 90
MAX_AREA_M2 = 1_000_000
MAX_CAPACITY = 1_000_000
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,120}")
DEFAULTS: dict[str, Any] = {
    "promise_minutes": 30,
    "prep_minutes": 10,
    "courier_mode": CourierMode.BIKE.value,
    "status": Hub.Status.OPEN.value,
}


def clean_text(value: object, *, field: str, max_length: int, required: bool = True) -> str:
    """A stripped string without control characters (PostgreSQL refuses NUL)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    text = value.strip()
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidInput(f"{field} must not contain control characters", field=field)
    if required and not text:
        raise InvalidInput(f"{field} is required and must not be blank", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return text


def clean_slug(value: object) -> str:
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise InvalidInput("slug must be 1-120 letters, digits, hyphens or underscores", field="slug")
    return value


def clean_int(value: object, *, field: str, minimum: int, maximum: int) -> int:
    """A whole number in range; floats and booleans are refused, not rounded."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{field} must be a whole number, got {value!r}", field=field)
    if not minimum <= value <= maximum:
        raise InvalidInput(f"{field} must be between {minimum} and {maximum}, got {value}", field=field)
    return value


def clean_choice(value: object, *, field: str, choices: list[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(f"{field} must be one of {', '.join(choices)}; got {value!r}", field=field)
    return str(value)


def clean_location(lat: object, lng: object) -> dict[str, Any]:
    """lat, lng, the region (a dong) holding the point and its cell; InvalidInput names
    "lat" or "lng" for a bad coordinate and "lat" for a point outside every region."""
    try:
        point = Point.parse(lat, lng)
    except InvalidCoordinates as exc:
        raise InvalidInput(str(exc), field=exc.field) from None
    region = region_for_point(point, field="lat")
    return {
        "lat": point.lat,
        "lng": point.lng,
        "region": region,
        "cell": cell_of(point, settings.SERVICE_AREA_RESOLUTION),
    }


def check_minutes(promise: int, prep: int, *, field: str = "promise_minutes") -> None:
    if promise <= prep:
        raise InvalidInput(
            f"promise_minutes ({promise}) must be longer than prep_minutes ({prep}): the rest is the ride",
            field=field,
        )


HUB_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": lambda v: clean_text(v, field="name", max_length=120),
    "slug": clean_slug,
    "address": lambda v: clean_text(v, field="address", max_length=300),
    "floor_area_m2": lambda v: clean_int(v, field="floor_area_m2", minimum=1, maximum=MAX_AREA_M2),
    "promise_minutes": lambda v: clean_int(
        v, field="promise_minutes", minimum=2, maximum=MAX_PROMISE_MINUTES
    ),
    "prep_minutes": lambda v: clean_int(v, field="prep_minutes", minimum=0, maximum=MAX_PROMISE_MINUTES - 1),
    "courier_mode": lambda v: clean_choice(v, field="courier_mode", choices=CourierMode.values),
    "status": lambda v: clean_choice(v, field="status", choices=Hub.Status.values),
}
HUB_FIELDS = (*HUB_CLEANERS, "lat", "lng")
REQUIRED_HUB_FIELDS = ("name", "slug", "address", "lat", "lng", "floor_area_m2")


def clean_hub_values(values: Mapping[str, object], *, current: Hub | None = None) -> dict[str, Any]:
    """Validate the given hub fields (first problem raises). With `current`, the fields not
    given keep the hub's values for the checks that combine fields; `region` and `cell`
    are added when the point is given."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in HUB_CLEANERS:
            cleaned[name] = HUB_CLEANERS[name](value)
        elif name not in ("lat", "lng"):
            raise InvalidInput(f"{name!r} is not a hub field that can be set", field=name)
    if "lat" in values or "lng" in values:
        lat = values.get("lat", current.lat if current else None)
        lng = values.get("lng", current.lng if current else None)
        cleaned.update(clean_location(lat, lng))
    promise = cleaned.get(
        "promise_minutes", current.promise_minutes if current else DEFAULTS["promise_minutes"]
    )
    prep = cleaned.get("prep_minutes", current.prep_minutes if current else DEFAULTS["prep_minutes"])
    check_minutes(promise, prep, field="promise_minutes" if "promise_minutes" in cleaned else "prep_minutes")
    return cleaned
