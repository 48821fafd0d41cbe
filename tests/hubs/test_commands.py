"""import_hubs and refresh_service_areas commands."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from hyperlocal.hubs.models import Hub
from tests.hubs.conftest import DOWN_OSRM


def test_import_hubs_command(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "hubs.csv"
    path.write_text(
        "name,slug,address,lat,lng,floor_area_m2\nMangwon,mangwon,x,37.5556,126.9104,250\n", encoding="utf-8"
    )
    out = StringIO()
    call_command("import_hubs", str(path), stdout=out)
    assert "1 created" in out.getvalue()
    path.write_text("name,slug,address,lat,lng,floor_area_m2\nBad,bad,x,95,126.9,250\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_hubs", str(path), stderr=err)
    assert "line 2: lat" in err.getvalue()
    assert not Hub.objects.filter(slug="bad").exists()


def test_refresh_service_areas_command(hub: Hub, other_hub: Hub) -> None:
    Hub.objects.filter(pk=hub.pk).update(promise_minutes=40)
    out = StringIO()
    call_command("refresh_service_areas", "--stale", stdout=out)
    assert "mapo-office:" in out.getvalue()
    assert "hongdae:" not in out.getvalue()
    hub.refresh_from_db()
    assert hub.service_area_signature.startswith("bike:30:")
    out = StringIO()
    call_command("refresh_service_areas", "--hub", "hongdae", stdout=out)
    assert "1 service area(s) refreshed" in out.getvalue()
    with pytest.raises(CommandError, match="no hub"):
        call_command("refresh_service_areas", "--hub", "nope")
    with override_settings(TRAVEL_MODEL=DOWN_OSRM), pytest.raises(CommandError, match="unavailable"):
        call_command("refresh_service_areas", "--hub", "hongdae")
