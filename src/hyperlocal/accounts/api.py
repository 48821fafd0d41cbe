"""Accounts API (/api/accounts): sign-up, API tokens, and the signed-in resident's own profile,
household and neighbourhood verification. There is no endpoint to read anyone else's."""

from __future__ import annotations

from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status
from ninja.params.functions import Path

from hyperlocal.accounts import services
from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.accounts.schemas import (
    HomeIn,
    HouseholdOut,
    JoinIn,
    MeOut,
    PositionIn,
    ProfilePatch,
    SignupIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    VerificationOut,
    VerificationStatusOut,
    household_out,
    me_out,
    token_out,
    verification_out,
)
from hyperlocal.errors import NotFound
from hyperlocal.schemas import with_errors

router = Router(tags=["accounts"])

BIGINT_MAX = 2**63 - 1


@router.post("/signup", response=with_errors({201: MeOut}, 409, 422), summary="Create a resident account")
def signup(request: HttpRequest, body: SignupIn) -> Status[MeOut]:
    with transaction.atomic():
        user = services.signup(**body.dict())
    return Status(201, me_out(user))


@router.post(
    "/tokens",
    response=with_errors({201: TokenCreatedOut}, 401, 422),
    summary="Get an API token for a username and password (the key is shown once)",
)
def create_token(request: HttpRequest, body: TokenIn) -> Status[object]:
    with transaction.atomic():
        issued = services.token_for_credentials(
            username=body.username, password=body.password, name=body.name
        )
    if issued is None:
        # Not saying whether the username or the password was wrong.
        wrong = {"detail": "wrong username or password", "code": "Unauthenticated", "field": "password"}
        return Status(401, wrong)
    return Status(201, token_out(*issued))


@router.get("/tokens", auth=api_auth, response=with_errors({200: list[TokenOut]}, 401), summary="Your tokens")
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [token_out(t) for t in services.list_tokens(_user(request))]


@router.delete(
    "/tokens/{token_id}",
    auth=api_auth,
    response=with_errors({204: None}, 401, 403, 404, 422),
    summary="Revoke one of your tokens",
)
def revoke_token(request: HttpRequest, token_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)]) -> Status[None]:
    with transaction.atomic():
        services.revoke_token(_user(request), token_id)
    return Status(204, None)


@router.get("/me", auth=api_auth, response=with_errors({200: MeOut}, 401), summary="Your profile")
def get_me(request: HttpRequest) -> MeOut:
    return me_out(_user(request))


@router.patch(
    "/me", auth=api_auth, response=with_errors({200: MeOut}, 401, 403, 422), summary="Change your profile"
)
def patch_me(request: HttpRequest, body: ProfilePatch) -> MeOut:
    with transaction.atomic():
        user = services.update_profile(
            _user(request), display_name=body.display_name, preferred_language=body.preferred_language
        )
    return me_out(user)


@router.get(
    "/me/household",
    auth=api_auth,
    response=with_errors({200: HouseholdOut}, 401, 404),
    summary="Your household, its neighbourhood (GeoJSON) and your current verification",
)
def get_household(request: HttpRequest) -> HouseholdOut:
    user = _user(request)
    if user.household is None:
        raise NotFound("you have no household yet: set your home first", field="household")
    return household_out(user.household, services.current_verification(user))


@router.post(
    "/me/household",
    auth=api_auth,
    response=with_errors({201: HouseholdOut}, 401, 403, 422),
    summary="Set your home: a new household at that point",
)
def set_home(request: HttpRequest, body: HomeIn) -> Status[HouseholdOut]:
    user = _user(request)
    with transaction.atomic():
        household = services.set_home(user, lat=body.lat, lng=body.lng, address=body.address, size=body.size)
    return Status(201, household_out(household, None))


@router.post(
    "/me/household/join",
    auth=api_auth,
    response=with_errors({200: HouseholdOut}, 401, 403, 422),
    summary="Join the household of someone at your address, with their join code",
)
def join_household(request: HttpRequest, body: JoinIn) -> HouseholdOut:
    user = _user(request)
    with transaction.atomic():
        household = services.join_household(user, join_code=body.join_code)
    return household_out(household, services.current_verification(user))


@router.post(
    "/me/verify-neighbourhood",
    auth=api_auth,
    response=with_errors({201: VerificationOut}, 401, 403, 422),
    summary="Verify your neighbourhood with your current GPS position",
)
def verify_neighbourhood(request: HttpRequest, body: PositionIn) -> Status[VerificationOut | None]:
    with transaction.atomic():
        verification = services.verify_neighbourhood(_user(request), lat=body.lat, lng=body.lng)
    return Status(201, verification_out(verification))


@router.get(
    "/me/verification",
    auth=api_auth,
    response=with_errors({200: VerificationStatusOut}, 401),
    summary="Whether your neighbourhood verification is current",
)
def get_verification(request: HttpRequest) -> VerificationStatusOut:
    verification = services.current_verification(_user(request))
    return VerificationStatusOut(
        verified=verification is not None, verification=verification_out(verification)
    )
