"""The accounts API end to end through Django's test client, on the real Mapo-gu regions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hyperlocal.accounts import services
from hyperlocal.accounts.models import ApiToken, Household, NeighbourhoodVerification, User
from hyperlocal.regions.models import Region
from tests.accounts.conftest import GANGNAM, K, point_at_steps
from tests.factories import HONGDAE, MAPO_OFFICE

BASE = "/api/accounts"
Api = tuple[Client, dict[str, str]]


def post(client: Client, path: str, body: Any, **headers: str) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(BASE + path, data, content_type="application/json", **headers)


# ---- sign-up and tokens -------------------------------------------------------------------


def test_signup_then_get_a_token_and_use_it(db: None) -> None:
    client = Client()
    response = post(
        client, "/signup", {"username": "jiwoo", "password": "correct horse battery", "email": ""}
    )
    assert response.status_code == 201
    assert response.json()["roles"] == ["resident"]
    response = post(
        client, "/tokens", {"username": "jiwoo", "password": "correct horse battery", "name": "cli"}
    )
    assert response.status_code == 201
    key = response.json()["key"]
    assert key.startswith(response.json()["prefix"])
    me = client.get(BASE + "/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.json()["username"] == "jiwoo"
    listed = client.get(BASE + "/tokens", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert [t["name"] for t in listed] == ["cli"]
    assert "key" not in listed[0]
    assert "key_hash" not in listed[0]


def test_signup_conflict_and_bad_fields(db: None) -> None:
    client = Client()
    assert (
        post(client, "/signup", {"username": "jiwoo", "password": "correct horse battery"}).status_code == 201
    )
    taken = post(client, "/signup", {"username": "JIWOO", "password": "correct horse battery"})
    assert (taken.status_code, taken.json()["field"]) == (409, "username")
    weak = post(client, "/signup", {"username": "seojun", "password": "1234"})
    assert (weak.status_code, weak.json()["field"]) == (422, "password")
    language = post(
        client,
        "/signup",
        {"username": "seojun", "password": "correct horse battery", "preferred_language": "fr"},
    )
    assert (language.status_code, language.json()["field"]) == (422, "preferred_language")
    assert User.objects.count() == 1


def test_bad_credentials_do_not_say_which_part_was_wrong(resident: User) -> None:
    client = Client()
    wrong_password = post(client, "/tokens", {"username": "minji", "password": "nope"})
    no_such_user = post(client, "/tokens", {"username": "nobody", "password": "correct horse battery"})
    assert wrong_password.status_code == no_such_user.status_code == 401
    assert wrong_password.json() == no_such_user.json()
    assert post(client, "/tokens", {"username": "minji"}).status_code == 422
    assert post(client, "/tokens", {"username": "mi\x00nji", "password": "x"}).status_code == 401
    assert not ApiToken.objects.exists()


def test_revoking_my_token_and_not_someone_elses(
    resident: User, bearer: Callable[[User], dict[str, str]]
) -> None:
    client = Client()
    mine = bearer(resident)
    other = services.signup(username="seojun", password="correct horse battery")
    theirs = bearer(other)
    my_token = ApiToken.objects.get(user=resident)
    # Another user's token cannot revoke mine, nor learn that it exists.
    response = client.delete(f"{BASE}/tokens/{my_token.pk}", **theirs)
    assert response.status_code == 404
    assert client.get(BASE + "/me", **mine).status_code == 200
    my_token.refresh_from_db()
    assert my_token.revoked_at is None
    assert client.delete(f"{BASE}/tokens/{my_token.pk}", **mine).status_code == 204
    assert client.get(BASE + "/me", **mine).status_code == 401
    assert client.get(BASE + "/me", **theirs).status_code == 200


@pytest.mark.parametrize("token_id", ["0", "abc", "99999999999999999999999"])
def test_revoking_a_nonsense_id_is_a_4xx(api: Api, token_id: str) -> None:
    client, auth = api
    assert client.delete(f"{BASE}/tokens/{token_id}", **auth).status_code == 422
    assert client.delete(f"{BASE}/tokens/424242", **auth).status_code == 404


# ---- profile --------------------------------------------------------------------------------


def test_me_and_patch_me(api: Api) -> None:
    client, auth = api
    response = client.patch(
        BASE + "/me", {"preferred_language": "en"}, content_type="application/json", **auth
    )
    assert (response.status_code, response.json()["preferred_language"]) == (200, "en")
    bad = client.patch(BASE + "/me", {"preferred_language": "tlh"}, content_type="application/json", **auth)
    assert (bad.status_code, bad.json()["field"]) == (422, "preferred_language")
    assert "ko" in bad.json()["detail"]
    assert client.get(BASE + "/me", **auth).json()["preferred_language"] == "en"


# ---- household ------------------------------------------------------------------------------


def test_household_with_neighbourhood_and_verification(api: Api, home: Household) -> None:
    client, auth = api
    body = client.get(BASE + "/me/household", **auth).json()
    assert body["region"]["code"] == "1144066000"
    assert body["join_code"] == home.join_code
    assert [m["username"] for m in body["members"]] == ["minji"]
    assert body["neighbourhood"]["type"] == "FeatureCollection"
    assert len(body["neighbourhood"]["features"]) == 1 + 3 * K * (K + 1)
    assert body["verification"] is None
    response = post(client, "/me/verify-neighbourhood", {"lat": HONGDAE.lat, "lng": HONGDAE.lng}, **auth)
    assert (response.status_code, response.json()["grid_steps"]) == (201, 0)
    assert client.get(BASE + "/me/household", **auth).json()["verification"]["grid_steps"] == 0
    status = client.get(BASE + "/me/verification", **auth).json()
    assert status["verified"] is True


def test_no_household_yet(mapo: Region, bearer: Callable[[User], dict[str, str]]) -> None:
    user = services.signup(username="jiwoo", password="correct horse battery")
    client, auth = Client(), bearer(user)
    assert client.get(BASE + "/me/household", **auth).status_code == 404
    assert client.get(BASE + "/me/verification", **auth).json() == {"verified": False, "verification": None}
    response = post(client, "/me/verify-neighbourhood", {"lat": HONGDAE.lat, "lng": HONGDAE.lng}, **auth)
    assert (response.status_code, response.json()["field"]) == (422, "household")
    response = post(
        client, "/me/household", {"lat": MAPO_OFFICE.lat, "lng": MAPO_OFFICE.lng, "size": 3}, **auth
    )
    assert response.status_code == 201
    assert response.json()["region"]["name_en"] == "Seongsan 2(i)-dong"
    assert response.json()["size"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"lat": "abc", "lng": 126.92}', "lat"),
        ('{"lat": 37.55, "lng": "east"}', "lng"),
        ('{"lat": 90.5, "lng": 126.92}', "lat"),
        ('{"lat": 37.55, "lng": -180.01}', "lng"),
        ('{"lat": NaN, "lng": 126.92}', "lat"),
        ('{"lat": 37.55, "lng": Infinity}', "lng"),
        ('{"lat": null, "lng": 126.92}', "lat"),
        ('{"lng": 126.92}', "lat"),
        (f'{{"lat": {GANGNAM.lat}, "lng": {GANGNAM.lng}}}', "lat"),
        ('{"lat": 37.5572, "lng": 126.9245, "size": 0}', "size"),
        ('{"lat": 37.5572, "lng": 126.9245, "address": "a\\u0000b"}', "address"),
    ],
)
def test_set_home_refuses_bad_input_with_422_naming_the_field(api: Api, body: str, field: str) -> None:
    client, auth = api
    before = Household.objects.count()
    response = post(client, "/me/household", body, **auth)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Household.objects.count() == before


def test_joining_a_household(api: Api, home: Household, bearer: Callable[[User], dict[str, str]]) -> None:
    client = api[0]
    neighbour = services.signup(username="seojun", password="correct horse battery")
    auth = bearer(neighbour)
    wrong = post(client, "/me/household/join", {"join_code": "NOPE-NOPE"}, **auth)
    assert (wrong.status_code, wrong.json()["field"]) == (422, "join_code")
    response = post(client, "/me/household/join", {"join_code": home.join_code}, **auth)
    assert response.status_code == 200
    assert response.json()["id"] == home.pk
    assert sorted(m["username"] for m in response.json()["members"]) == ["minji", "seojun"]


def test_verify_far_from_home_is_refused_and_nothing_written(api: Api, home: Household) -> None:
    client, auth = api
    far = point_at_steps(home, K + 1)
    response = post(client, "/me/verify-neighbourhood", {"lat": far.lat, "lng": far.lng}, **auth)
    assert response.status_code == 422
    assert response.json()["field"] == "lat"
    assert f"within {K} steps" in response.json()["detail"]
    assert not NeighbourhoodVerification.objects.exists()
    near = point_at_steps(home, K)
    assert (
        post(client, "/me/verify-neighbourhood", {"lat": near.lat, "lng": near.lng}, **auth).status_code
        == 201
    )


@pytest.mark.parametrize("body", ['{"lat": "x", "lng": 1}', '{"lat": 1e400, "lng": 1}', "[]", "not json"])
def test_verify_bad_numbers(api: Api, body: str) -> None:
    client, auth = api
    response = post(client, "/me/verify-neighbourhood", body, **auth)
    assert response.status_code in (400, 422)
    assert not NeighbourhoodVerification.objects.exists()


def test_everything_about_me_needs_authentication(db: None) -> None:
    client = Client()
    for method, path in [
        ("get", "/me"),
        ("patch", "/me"),
        ("get", "/me/household"),
        ("post", "/me/household"),
        ("post", "/me/household/join"),
        ("post", "/me/verify-neighbourhood"),
        ("get", "/me/verification"),
        ("get", "/tokens"),
        ("delete", "/tokens/1"),
    ]:
        response = getattr(client, method)(BASE + path, content_type="application/json")
        assert response.status_code == 401, (method, path)


def test_the_openapi_documents_every_status(db: None) -> None:
    spec = Client().get("/api/openapi.json").json()
    operation = spec["paths"][f"{BASE}/me/household"]["post"]
    assert {"201", "401", "422"} <= set(operation["responses"])
