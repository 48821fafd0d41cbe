"""Accounts services on the real Mapo-gu regions: sign-up, homes, households, verification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

from hyperlocal.accounts import services
from hyperlocal.accounts.models import Household, NeighbourhoodVerification, User
from hyperlocal.accounts.roles import Role
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.geo import Point, cell_of, grid_steps
from hyperlocal.regions.models import Region
from tests.accounts.conftest import GANGNAM, K, point_at_steps
from tests.factories import HONGDAE, MAPO_OFFICE

# ---- sign-up and profile ----------------------------------------------------------------


def test_signup_makes_a_resident_with_a_usable_password(db: None) -> None:
    user = services.signup(username="jiwoo", password="correct horse battery", email="j@example.test")
    assert user.groups.filter(name=str(Role.RESIDENT)).exists()
    assert user.check_password("correct horse battery")
    assert user.preferred_language == "ko"


@pytest.mark.parametrize("password", ["short", "12345678901", "password123", "jiwoo12345"])
def test_signup_refuses_weak_passwords(db: None, password: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.signup(username="jiwoo12345", password=password)
    assert exc.value.field == "password"
    assert not User.objects.exists()


def test_signup_refuses_a_taken_username_in_any_letter_case(db: None) -> None:
    services.signup(username="Jiwoo", password="correct horse battery")
    with pytest.raises(Conflict) as exc:
        services.signup(username="jiwoo", password="correct horse battery")
    assert exc.value.field == "username"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "has space"}, "username"),
        ({"username": ""}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"email": "not-an-email"}, "email"),
        ({"display_name": "nul\x00byte"}, "display_name"),
        ({"preferred_language": "fr"}, "preferred_language"),
    ],
)
def test_signup_names_the_bad_field(db: None, fields: dict[str, str], field: str) -> None:
    kwargs = {"username": "jiwoo", "password": "correct horse battery", **fields}
    with pytest.raises(InvalidInput) as exc:
        services.signup(**kwargs)
    assert exc.value.field == field
    assert not User.objects.exists()


def test_signup_creates_the_role_groups_when_missing(db: None) -> None:
    Group.objects.all().delete()
    user = services.signup(username="jiwoo", password="correct horse battery")
    assert list(user.groups.values_list("name", flat=True)) == [str(Role.RESIDENT)]


def test_update_profile_checks_the_language(resident: User) -> None:
    services.update_profile(resident, display_name="민지", preferred_language="en")
    resident.refresh_from_db()
    assert (resident.display_name, resident.preferred_language) == ("민지", "en")
    with pytest.raises(InvalidInput) as exc:
        services.update_profile(resident, preferred_language="xx")
    assert exc.value.field == "preferred_language"
    resident.refresh_from_db()
    assert resident.preferred_language == "en"


# ---- home and household -------------------------------------------------------------------


def test_set_home_creates_a_household_in_the_dong_with_a_join_code(resident: User) -> None:
    household = resident.household
    assert household is not None
    assert household.region.code == "1144066000"  # Seogyo-dong
    assert household.home_cell == cell_of(HONGDAE, settings.NEIGHBOURHOOD_RESOLUTION)
    assert household.source == "signup"
    assert household.join_code is not None
    assert len(household.join_code) == 8
    assert list(household.members.all()) == [resident]


@pytest.mark.parametrize(
    ("lat", "lng", "field"),
    [
        ("abc", 126.92, "lat"),
        (37.55, "east", "lng"),
        (91, 126.92, "lat"),
        (37.55, -181, "lng"),
        (float("nan"), 126.92, "lat"),
        (37.55, float("inf"), "lng"),
        (None, 126.92, "lat"),
        (GANGNAM.lat, GANGNAM.lng, "lat"),  # outside every region
    ],
)
def test_set_home_refuses_bad_points_and_writes_nothing(
    mapo: Region, lat: object, lng: object, field: str
) -> None:
    user = services.signup(username="jiwoo", password="correct horse battery")
    with pytest.raises(InvalidInput) as exc:
        services.set_home(user, lat=lat, lng=lng)
    assert exc.value.field == field
    assert field in exc.value.message
    assert not Household.objects.exists()
    user.refresh_from_db()
    assert user.household is None


def test_outside_every_region_says_so(mapo: Region) -> None:
    user = services.signup(username="jiwoo", password="correct horse battery")
    with pytest.raises(InvalidInput, match="outside every region"):
        services.set_home(user, lat=GANGNAM.lat, lng=GANGNAM.lng)


@pytest.mark.parametrize("size", [0, -1, 1000, True, "2"])
def test_set_home_refuses_a_bad_size(mapo: Region, size: object) -> None:
    user = services.signup(username="jiwoo", password="correct horse battery")
    with pytest.raises(InvalidInput) as exc:
        services.set_home(user, lat=HONGDAE.lat, lng=HONGDAE.lng, size=size)  # type: ignore[arg-type]
    assert exc.value.field == "size"


def test_a_neighbour_joins_with_the_code_in_any_form(home: Household) -> None:
    other = services.signup(username="seojun", password="correct horse battery")
    assert home.join_code is not None
    typed = f" {home.join_code[:4].lower()}-{home.join_code[4:]} "
    joined = services.join_household(other, join_code=typed)
    assert joined == home
    other.refresh_from_db()
    assert other.household == home
    home.refresh_from_db()
    assert home.members.count() == 2
    assert home.size == 2  # grows to the number of members


@pytest.mark.parametrize("code", ["", "WRONG123", "x" * 50, "\x00"])
def test_a_wrong_join_code_changes_nothing(home: Household, code: str) -> None:
    other = services.signup(username="seojun", password="correct horse battery")
    with pytest.raises(InvalidInput) as exc:
        services.join_household(other, join_code=code)
    assert exc.value.field == "join_code"
    other.refresh_from_db()
    assert other.household is None


def test_neighbourhood_cells_are_the_disk_of_k_steps(home: Household) -> None:
    cells = services.neighbourhood_cells(home)
    assert len(cells) == 1 + 3 * K * (K + 1)
    assert home.home_cell in cells
    assert max(grid_steps(home.home_cell, c) or 0 for c in cells) == K


# ---- neighbourhood verification ------------------------------------------------------------


def test_a_fix_exactly_k_steps_away_verifies(resident: User, home: Household) -> None:
    now = timezone.now()
    fix = point_at_steps(home, K)
    verification = services.verify_neighbourhood(resident, lat=fix.lat, lng=fix.lng, now=now)
    assert verification.grid_steps == K
    assert verification.household == home
    assert verification.cell == cell_of(fix, settings.NEIGHBOURHOOD_RESOLUTION)
    assert (verification.lat, verification.lng) == (fix.lat, fix.lng)
    assert verification.verified_at == now
    assert verification.expires_at == now + timedelta(days=settings.NEIGHBOURHOOD_VERIFICATION_DAYS)
    assert services.current_verification(resident, now=now) == verification


def test_a_fix_k_plus_one_steps_away_is_refused_and_nothing_is_written(
    resident: User, home: Household
) -> None:
    fix = point_at_steps(home, K + 1)
    with pytest.raises(InvalidInput) as exc:
        services.verify_neighbourhood(resident, lat=fix.lat, lng=fix.lng)
    assert exc.value.field == "lat"
    assert f"{K + 1} grid steps" in exc.value.message
    assert f"within {K} steps" in exc.value.message
    assert " m)" in exc.value.message
    assert not NeighbourhoodVerification.objects.exists()
    assert services.current_verification(resident) is None


def test_a_fix_across_the_country_is_refused(resident: User) -> None:
    with pytest.raises(InvalidInput, match=r"more than|grid steps") as exc:
        services.verify_neighbourhood(resident, lat=35.1796, lng=129.0756)  # Busan
    assert exc.value.field == "lat"
    assert not NeighbourhoodVerification.objects.exists()


@override_settings(NEIGHBOURHOOD_K=1)
def test_the_distance_comes_from_settings(resident: User, home: Household) -> None:
    fix = point_at_steps(home, 2)
    with pytest.raises(InvalidInput, match="within 1 steps"):
        services.verify_neighbourhood(resident, lat=fix.lat, lng=fix.lng)


def test_verification_needs_a_home(mapo: Region) -> None:
    user = services.signup(username="jiwoo", password="correct horse battery")
    with pytest.raises(InvalidInput) as exc:
        services.verify_neighbourhood(user, lat=HONGDAE.lat, lng=HONGDAE.lng)
    assert exc.value.field == "household"


@pytest.mark.parametrize(
    ("lat", "lng", "field"), [("x", 126.9, "lat"), (37.5, 500, "lng"), (float("nan"), 1, "lat")]
)
def test_verification_refuses_bad_numbers(resident: User, lat: object, lng: object, field: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.verify_neighbourhood(resident, lat=lat, lng=lng)
    assert exc.value.field == field
    assert not NeighbourhoodVerification.objects.exists()


def test_a_verification_expires_after_the_configured_days(resident: User) -> None:
    now = timezone.now()
    days = settings.NEIGHBOURHOOD_VERIFICATION_DAYS
    services.verify_neighbourhood(resident, lat=HONGDAE.lat, lng=HONGDAE.lng, now=now - timedelta(days=days))
    assert services.current_verification(resident, now=now) is None
    recent = services.verify_neighbourhood(
        resident, lat=HONGDAE.lat, lng=HONGDAE.lng, now=now - timedelta(days=days - 1)
    )
    assert services.current_verification(resident, now=now) == recent
    assert services.current_verification(resident, now=now - timedelta(days=days + 1)) is None  # not yet made


def test_moving_home_leaves_the_old_verification_behind(resident: User) -> None:
    services.verify_neighbourhood(resident, lat=HONGDAE.lat, lng=HONGDAE.lng)
    assert services.current_verification(resident) is not None
    services.set_home(resident, lat=MAPO_OFFICE.lat, lng=MAPO_OFFICE.lng)
    assert services.current_verification(resident) is None
    assert Point(resident.household.lat, resident.household.lng) == MAPO_OFFICE  # type: ignore[union-attr]
