"""Signing up, logging in and out through the web pages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hyperlocal.accounts.roles import Role
from hyperlocal.regions.models import Region
from tests.factories import UserFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def signup_data(**changes: str) -> dict[str, str]:
    data = {
        "username": "jiwoo",
        "display_name": "Jiwoo",
        "email": "jiwoo@example.test",
        "password": "a long pass phrase 77",
        "password_again": "a long pass phrase 77",
        "preferred_language": "en",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_signup_creates_a_resident_and_signs_in(mapo: Region, client: Client) -> None:
    response = client.post(reverse("web:signup"), signup_data(), follow=True, **EN)
    assert response.redirect_chain == [(reverse("web:home"), 302)]
    user = get_user_model().objects.get(username="jiwoo")
    assert response.context["user"] == user
    assert user.groups.filter(name=Role.RESIDENT).exists()
    assert "Set your home" in response.content.decode()
    assert client.cookies["django_language"].value == "en"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"password_again": "something else 88"}, "The two passwords differ."),
        ({"username": ""}, "This field is required."),
        ({"preferred_language": "tlh"}, "Select a valid choice."),
    ],
)
def test_signup_form_errors_are_shown(
    mapo: Region, client: Client, changes: dict[str, str], text: str
) -> None:
    response = client.post(reverse("web:signup"), signup_data(**changes), **EN)
    assert response.status_code == 200
    assert text in response.content.decode()
    assert not get_user_model().objects.filter(username="jiwoo").exists()


@pytest.mark.django_db
def test_signup_service_errors_are_shown_not_500(mapo: Region, client: Client) -> None:
    UserFactory(username="jiwoo")
    response = client.post(reverse("web:signup"), signup_data(), **EN)
    assert response.status_code == 200
    assert "Your account was not created" in response.content.decode()
    assert get_user_model().objects.filter(username="jiwoo").count() == 1
    weak = client.post(
        reverse("web:signup"), signup_data(username="other", password="1", password_again="1"), **EN
    )
    assert weak.status_code == 200
    assert not get_user_model().objects.filter(username="other").exists()


@pytest.mark.django_db
def test_login_and_logout(mapo: Region, client: Client) -> None:
    UserFactory(username="minji")
    bad = client.post(reverse("web:login"), {"username": "minji", "password": "wrong"}, **EN)
    assert bad.status_code == 200
    assert "Please enter a correct username and password" in bad.content.decode()
    good = client.post(reverse("web:login"), {"username": "minji", "password": "correct horse battery"})
    assert good.status_code == 302
    assert good["Location"] == reverse("web:home")
    assert client.get(reverse("web:logout")).status_code == 405  # a link cannot sign anyone out
    out = client.post(reverse("web:logout"))
    assert out.status_code == 302
    assert "_auth_user_id" not in client.session
