"""The regions back office loads for a superuser."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from hyperlocal.accounts.models import User
from hyperlocal.regions.models import Region


def test_region_changelist_and_change_form(mapo: Region) -> None:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.test", "correct horse battery"))
    page = client.get(reverse("admin:regions_region_changelist"))
    assert page.status_code == 200
    assert "Seogyo-dong" in page.content.decode()
    found = client.get(reverse("admin:regions_region_changelist"), {"q": "서교"})
    assert "Seogyo-dong" in found.content.decode()
    assert "Sangam-dong" not in found.content.decode()
    dongs = client.get(reverse("admin:regions_region_changelist"), {"level__exact": "dong"})
    assert dongs.status_code == 200
    assert client.get(reverse("admin:regions_region_change", args=[mapo.pk])).status_code == 200
