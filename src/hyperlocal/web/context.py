from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"MAP_TILES_URL": settings.MAP_TILES_URL, "MAP_TILES_ATTRIBUTION": settings.MAP_TILES_ATTRIBUTION}
