"""Bearer tokens and sessions in front of the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from hyperlocal.accounts import services
from hyperlocal.accounts.models import ApiToken, User

ME = "/api/accounts/me"


def test_a_valid_token_authenticates_and_is_marked_used(resident: User) -> None:
    token, key = services.issue_token(resident, "phone")
    response = Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["username"] == "minji"
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.key_hash != key
    assert key not in token.key_hash


def test_a_revoked_token_is_refused(resident: User) -> None:
    token, key = services.issue_token(resident, "phone")
    services.revoke_token(resident, token.pk)
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_an_expired_token_is_refused(resident: User) -> None:
    token, key = services.issue_token(resident, "phone")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_wrong_or_missing_token_is_refused(resident: User) -> None:
    _, key = services.issue_token(resident, "phone")
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}x").status_code == 401
    assert Client().get(ME, HTTP_AUTHORIZATION="Bearer ").status_code == 401
    assert Client().get(ME).status_code == 401


def test_an_inactive_users_token_is_refused(resident: User) -> None:
    _, key = services.issue_token(resident, "phone")
    User.objects.filter(pk=resident.pk).update(is_active=False)
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_bad_token_on_a_write_is_401_not_a_csrf_failure(resident: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.patch(
        ME, {"display_name": "x"}, content_type="application/json", HTTP_AUTHORIZATION="Bearer no"
    )
    assert response.status_code == 401


def test_a_token_write_needs_no_csrf(resident: User, bearer: Callable[[User], dict[str, str]]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.patch(ME, {"display_name": "민지"}, content_type="application/json", **bearer(resident))
    assert response.status_code == 200


def test_a_session_reads_and_needs_csrf_to_write(resident: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.get(ME).json()["username"] == "minji"
    response = client.patch(ME, {"display_name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "NotAllowed"  # the API's usual error shape
    assert "CSRF" in response.json()["detail"]
    resident.refresh_from_db()
    assert resident.display_name == "Minji"
    client.get("/admin/login/")  # any page with a form hands out the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(
        ME, {"display_name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200


def test_the_last_use_is_written_at_most_once_an_hour_and_the_lookup_is_one_query(
    resident: User, django_assert_num_queries
) -> None:
    token, key = services.issue_token(resident, "phone")
    first = timezone.now()
    with django_assert_num_queries(2):  # the lookup, and the first use written
        assert services.user_for_key(key, now=first) == resident
    with django_assert_num_queries(1):  # within the hour: the lookup only
        assert services.user_for_key(key, now=first + timedelta(minutes=59)) == resident
    token.refresh_from_db()
    assert token.last_used_at == first
    later = first + timedelta(hours=1, seconds=1)
    with django_assert_num_queries(2):
        assert services.user_for_key(key, now=later) == resident
    token.refresh_from_db()
    assert token.last_used_at == later
