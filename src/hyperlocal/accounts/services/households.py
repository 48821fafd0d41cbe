"""Households (residents at one address) and neighbourhood verification by GPS."""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from hyperlocal.accounts.models import Household, NeighbourhoodVerification, User
from hyperlocal.accounts.services.text import clean_text
from hyperlocal.errors import InvalidInput
from hyperlocal.geo import InvalidCoordinates, Point, cell_of, grid_steps, haversine_m, neighbourhood
from hyperlocal.geo.cells import cell_edge_m
from hyperlocal.regions.models import Region
from hyperlocal.regions.services import region_for_point

# No 0/O or 1/I: the code is read aloud and typed by a neighbour.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 8
ADDRESS_MAX = 300
SIZE_MAX = 999  # people at one address (a dormitory counts as one household in registers)


def parse_point(lat: object, lng: object) -> Point:
    """A point from numbers or numeric text; bad or out-of-range input -> InvalidInput naming lat or lng."""
    try:
        return Point.parse(lat, lng)
    except InvalidCoordinates as exc:
        raise InvalidInput(str(exc), field=exc.field) from None


def check_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= SIZE_MAX:
        raise InvalidInput(f"size must be a whole number from 1 to {SIZE_MAX}, got {size!r}", field="size")
    return size


def home_location(lat: object, lng: object) -> tuple[Point, Region, str]:
    """The point, its region (required: InvalidInput on "lat" outside every region) and the
    home cell of a household at lat/lng."""
    point = parse_point(lat, lng)
    region = region_for_point(point, field="lat")
    return point, region, cell_of(point, settings.NEIGHBOURHOOD_RESOLUTION)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def _normalise_join_code(code: object) -> str:
    text = code if isinstance(code, str) else ""
    return "".join(ch for ch in text.upper() if ch not in " -")


def set_home(user: User, *, lat: object, lng: object, address: str = "", size: int = 1) -> Household:
    """A new household at that point (which must lie in a region), with the user as its first
    member and a join code for the others at the same address. A previous household keeps
    its other members; its verifications no longer count for this user."""
    point, region, home_cell = home_location(lat, lng)
    address = clean_text(address, field="address", max_length=ADDRESS_MAX)
    size = check_size(size)
    household = Household.objects.create(
        region=region,
        address=address,
        lat=point.lat,
        lng=point.lng,
        home_cell=home_cell,
        size=size,
        source="signup",
        # 32**8 codes: a clash is vanishingly rare, and the unique constraint refuses it anyway.
        join_code=new_join_code(),
    )
    user.household = household
    user.save(update_fields=["household"])
    return household


def join_household(user: User, *, join_code: str) -> Household:
    """Join the household that shared this code; its size grows to at least its member count."""
    code = _normalise_join_code(join_code)
    household = None
    if len(code) == JOIN_CODE_LENGTH and all(ch in JOIN_CODE_ALPHABET for ch in code):
        household = Household.objects.filter(join_code=code).first()
    if household is None:
        raise InvalidInput("join_code: no household has this join code", field="join_code")
    if user.household_id != household.pk:
        user.household = household
        user.save(update_fields=["household"])
        members = household.members.count()
        if members > household.size:
            household.size = members
            household.save(update_fields=["size"])
    return household


def household_members(household: Household) -> QuerySet[User]:
    return household.members.order_by("date_joined", "pk")


def neighbourhood_cells(household: Household) -> set[str]:
    """The cells within NEIGHBOURHOOD_K grid steps of the home cell (the home cell included)."""
    return neighbourhood(household.home_cell, settings.NEIGHBOURHOOD_K)


def _too_far(household: Household, point: Point, steps: int | None) -> InvalidInput:
    limit = settings.NEIGHBOURHOOD_K
    # Neighbouring cell centres are sqrt(3) edges apart.
    limit_m = limit * math.sqrt(3) * cell_edge_m(household.home_cell)
    distance_m = haversine_m(point, Point(household.lat, household.lng))
    how_far = f"{steps} grid steps" if steps is not None else f"more than {limit} grid steps"
    return InvalidInput(
        f"lat/lng: your position is {how_far} (about {distance_m:,.0f} m) from your home; "
        f"it must be within {limit} steps (about {limit_m:,.0f} m) to verify your neighbourhood",
        field="lat",
    )


def verify_neighbourhood(
    user: User, *, lat: object, lng: object, now: datetime | None = None
) -> NeighbourhoodVerification:
    """Record that the user was within NEIGHBOURHOOD_K grid steps of their home; a fix further
    away is refused (InvalidInput on "lat") and nothing is written."""
    point = parse_point(lat, lng)
    household = user.household
    if household is None:
        raise InvalidInput("household: set your home before verifying your neighbourhood", field="household")
    cell = cell_of(point, settings.NEIGHBOURHOOD_RESOLUTION)
    steps = grid_steps(household.home_cell, cell)
    if steps is None or steps > settings.NEIGHBOURHOOD_K:
        raise _too_far(household, point, steps)
    now = now or timezone.now()
    return NeighbourhoodVerification.objects.create(
        user=user,
        household=household,
        lat=point.lat,
        lng=point.lng,
        cell=cell,
        grid_steps=steps,
        verified_at=now,
        expires_at=now + timedelta(days=settings.NEIGHBOURHOOD_VERIFICATION_DAYS),
    )


def current_verification(user: User, now: datetime | None = None) -> NeighbourhoodVerification | None:
    """The latest verification of the user's present household that has not expired at `now`."""
    if user.household_id is None:
        return None
    now = now or timezone.now()
    return (
        NeighbourhoodVerification.objects.filter(
            user=user, household_id=user.household_id, verified_at__lte=now, expires_at__gt=now
        )
        .order_by("-verified_at")
        .first()
    )


def home_points() -> list[Point]:
    """Every household's home, in household order (read only; the simulator's demand)."""
    return [Point(lat, lng) for lat, lng in Household.objects.order_by("pk").values_list("lat", "lng")]
