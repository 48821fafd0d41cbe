"""The language switch turns the pages Korean or English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hyperlocal.regions.models import Region


@pytest.mark.django_db
def test_korean_is_the_default(mapo: Region, client: Client) -> None:
    html = client.get(reverse("web:home")).content.decode()
    assert '<html lang="ko">' in html
    assert "로그인" in html  # "Log in"


@pytest.mark.django_db
def test_language_switch(mapo: Region, client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("web:products")})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:products")
    html = client.get(reverse("web:products")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Regional specialties only" in html
    assert "로그인" not in html

    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    html = client.get(reverse("web:products")).content.decode()
    assert '<html lang="ko">' in html
    assert "로그인" in html
    assert "지역 특산품만" in html


@pytest.mark.django_db
def test_unknown_language_is_ignored(mapo: Region, client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="ko">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_language_switch_is_on_every_page(mapo: Region, client: Client) -> None:
    for url in (reverse("web:home"), reverse("web:products"), reverse("web:hubs"), reverse("web:login")):
        html = client.get(url).content.decode()
        assert 'action="/i18n/setlang/"' in html, url
        assert 'name="language" value="en"' in html, url
