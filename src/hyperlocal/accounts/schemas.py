"""Request and response bodies of the accounts API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from hyperlocal.accounts.models import ApiToken, Household, NeighbourhoodVerification, User
from hyperlocal.accounts.roles import role_names
from hyperlocal.accounts.services import household_members, neighbourhood_cells
from hyperlocal.accounts.services.households import SIZE_MAX
from hyperlocal.geo import cells_to_feature_collection

# lat/lng as numbers in degrees; NaN, infinity, text and out-of-range values are refused (422).
Lat = Field(..., ge=-90, le=90, allow_inf_nan=False, description="latitude, WGS84 degrees")
Lng = Field(..., ge=-180, le=180, allow_inf_nan=False, description="longitude, WGS84 degrees")


class SignupIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)
    email: str = Field("", max_length=254)
    display_name: str = Field("", max_length=100)
    preferred_language: str = Field("ko", max_length=8, description="one of the offered languages: ko, en")


class MeOut(Schema):
    id: int
    username: str
    email: str
    display_name: str
    preferred_language: str
    roles: list[str]
    household_id: int | None


class ProfilePatch(Schema):
    display_name: str | None = Field(None, max_length=100)
    preferred_language: str | None = Field(None, max_length=8, description="ko or en")


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=4096)
    name: str = Field("api", max_length=100, description="to recognise the token later")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(..., description="the key's first characters")
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(..., description="send as 'Authorization: Bearer <key>'; shown this once only")


class HomeIn(Schema):
    lat: float = Lat
    lng: float = Lng
    address: str = Field("", max_length=300)
    size: int = Field(1, ge=1, le=SIZE_MAX, description="people living there")


class JoinIn(Schema):
    join_code: str = Field(..., max_length=20, description="the code a member of the household shared")


class PositionIn(Schema):
    lat: float = Lat
    lng: float = Lng


class VerificationOut(Schema):
    verified_at: datetime
    expires_at: datetime
    cell: str
    grid_steps: int = Field(..., description="grid distance of the fix from the home cell")


class VerificationStatusOut(Schema):
    verified: bool
    verification: VerificationOut | None


class RegionRef(Schema):
    code: str
    name_ko: str
    name_en: str


class MemberOut(Schema):
    username: str
    display_name: str


class HouseholdOut(Schema):
    id: int
    region: RegionRef
    address: str
    lat: float
    lng: float
    home_cell: str
    size: int
    join_code: str | None = Field(None, description="share it with others at the same address")
    members: list[MemberOut]
    neighbourhood: dict[str, Any] = Field(
        ..., description="GeoJSON FeatureCollection of the neighbourhood's cells"
    )
    verification: VerificationOut | None = Field(None, description="your current verification, if any")


def me_out(user: User) -> MeOut:
    return MeOut(
        id=user.pk,
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        preferred_language=user.preferred_language,
        roles=role_names(user),
        household_id=user.household_id,
    )


def token_out(token: ApiToken, key: str | None = None) -> TokenOut:
    out = TokenOut.model_validate(token, from_attributes=True)
    return TokenCreatedOut(**out.model_dump(), key=key) if key is not None else out


def verification_out(verification: NeighbourhoodVerification | None) -> VerificationOut | None:
    if verification is None:
        return None
    return VerificationOut(
        verified_at=verification.verified_at,
        expires_at=verification.expires_at,
        cell=verification.cell,
        grid_steps=verification.grid_steps,
    )


def household_out(household: Household, verification: NeighbourhoodVerification | None) -> HouseholdOut:
    region = household.region
    return HouseholdOut(
        id=household.pk,
        region=RegionRef(code=region.code, name_ko=region.name_ko, name_en=region.name_en),
        address=household.address,
        lat=household.lat,
        lng=household.lng,
        home_cell=household.home_cell,
        size=household.size,
        join_code=household.join_code,
        members=[
            MemberOut(username=m.username, display_name=m.display_name) for m in household_members(household)
        ],
        neighbourhood=cells_to_feature_collection(sorted(neighbourhood_cells(household))),
        verification=verification_out(verification),
    )
