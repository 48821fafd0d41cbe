"""The accounts back office loads for a superuser and imports households from a file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hyperlocal.accounts import services
from hyperlocal.accounts.models import ApiToken, Household, NeighbourhoodVerification, User
from tests.factories import HONGDAE


@pytest.fixture
def admin_client(resident: User) -> Client:
    boss = User.objects.create_superuser("boss", "boss@example.test", "correct horse battery")
    client = Client()
    client.force_login(boss)
    return client


@pytest.mark.parametrize("model", ["user", "household", "neighbourhoodverification", "apitoken"])
def test_changelists_and_change_forms_load(
    admin_client: Client, resident: User, home: Household, model: str
) -> None:
    services.verify_neighbourhood(resident, lat=HONGDAE.lat, lng=HONGDAE.lng)
    token, key = services.issue_token(resident, "phone")
    objects = {
        "user": resident,
        "household": home,
        "neighbourhoodverification": NeighbourhoodVerification.objects.get(),
        "apitoken": token,
    }
    changelist = admin_client.get(reverse(f"admin:accounts_{model}_changelist"))
    assert changelist.status_code == 200
    change = admin_client.get(reverse(f"admin:accounts_{model}_change", args=[objects[model].pk]))
    assert change.status_code == 200
    for page in (changelist, change):
        assert token.key_hash not in page.content.decode()
        assert key not in page.content.decode()


def test_user_list_shows_roles_and_household(admin_client: Client, home: Household) -> None:
    page = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "resident" in page
    assert str(home) in page


def test_household_change_form_relocates_through_the_region(admin_client: Client, home: Household) -> None:
    url = reverse("admin:accounts_household_change", args=[home.pk])
    data = {
        "address": "x",
        "lat": "37.4979",
        "lng": "127.0276",
        "size": "1",
        "source": "signup",
        "external_id": "",
    }
    data |= {"members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "1", "members-MIN_NUM_FORMS": "0"}
    data |= {
        "members-MAX_NUM_FORMS": "1000",
        "members-0-id": str(home.members.get().pk),
        "members-0-household": str(home.pk),
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "outside every region" in response.content.decode()
    home.refresh_from_db()
    assert home.address != "x"
    data |= {"lat": "37.5663", "lng": "126.9019"}
    assert admin_client.post(url, data).status_code == 302
    home.refresh_from_db()
    assert home.region.name_en == "Seongsan 2(i)-dong"


def test_household_import_page(admin_client: Client) -> None:
    url = reverse("admin:accounts_household_import")
    assert admin_client.get(url).status_code == 200
    bad = SimpleUploadedFile("h.csv", b"external_id,lat,lng\nh-1,37.5572,126.9245\nh-2,x,126.9\n")
    page = admin_client.post(url, {"file": bad})
    assert page.status_code == 200
    assert "Nothing was imported" in page.content.decode()
    assert not Household.objects.filter(source="import").exists()
    good = SimpleUploadedFile("h.csv", b"external_id,lat,lng\nh-1,37.5572,126.9245\n")
    assert admin_client.post(url, {"file": good}).status_code == 302
    assert Household.objects.filter(source="import").count() == 1


def test_tokens_can_be_revoked_from_the_list(admin_client: Client, resident: User) -> None:
    token, key = services.issue_token(resident, "phone")
    url = reverse("admin:accounts_apitoken_changelist")
    response = admin_client.post(url, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.objects.count() == 1  # revoked, not deleted
    assert Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
