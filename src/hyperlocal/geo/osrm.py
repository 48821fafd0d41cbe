"""Travel times from an operator's own OSRM server (Table service) via urllib.

Only the standard library is used so self-hosters need no extra dependency.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from .modes import DEFAULT_SPEED_M_PER_MIN, Mode, TravelTimeUnavailable, mode_mapping
from .points import Point

__all__ = ["DEFAULT_OSRM_PROFILES", "OsrmTableModel", "chunk_sizes"]

# OSRM ships foot/bicycle/car profiles; scooters ride the bike network here
# because that is what their legal routing is closest to in most cities.
DEFAULT_OSRM_PROFILES: Mapping[Mode, str] = MappingProxyType(
    {
        Mode.WALK: "foot",
        Mode.BIKE: "bike",
        Mode.SCOOTER: "bike",
        Mode.CAR: "car",
    }
)

# Real road speeds exceed the door-to-door averages, so pruning must be looser.
_MAX_SPEED_FACTOR = 1.5


def chunk_sizes(n_sources: int, n_destinations: int, max_locations: int) -> tuple[int, int]:
    """Rows and columns per request so that rows + columns <= max_locations."""
    half = max_locations // 2
    if n_sources + n_destinations <= max_locations:
        return n_sources, n_destinations
    if n_sources <= half:
        return n_sources, max_locations - n_sources
    if n_destinations <= half:
        return max_locations - n_destinations, n_destinations
    return half, max_locations - half


class OsrmTableModel:
    """``TravelTimeModel`` backed by ``/table/v1`` of one OSRM server per mode."""

    def __init__(
        self,
        base_urls: Mapping[Mode, str],
        timeout_s: float = 10,
        max_speed_m_per_min: Mapping[Mode, float] | None = None,
        max_locations: int = 100,
        profiles: Mapping[Mode, str] | None = None,
    ) -> None:
        self._urls: dict[Mode, str] = {}
        for key, url in base_urls.items():
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"OSRM url for {key!r} must be http(s)://host[...], got {url!r}")
            self._urls[Mode(key)] = url.rstrip("/")
        if not timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s!r}")
        if max_locations < 2:
            raise ValueError(f"max_locations must be at least 2, got {max_locations}")
        self.timeout_s = float(timeout_s)
        self.max_locations = max_locations
        self._max_speed = {m: s * _MAX_SPEED_FACTOR for m, s in DEFAULT_SPEED_M_PER_MIN.items()}
        self._max_speed.update(mode_mapping(max_speed_m_per_min or {}, "max_speed_m_per_min"))
        self._profiles = dict(DEFAULT_OSRM_PROFILES)
        for key, profile in (profiles or {}).items():
            if not profile or "/" in profile:
                raise ValueError(f"invalid OSRM profile for {key!r}: {profile!r}")
            self._profiles[Mode(key)] = profile

    def max_reach_m(self, minutes: float, mode: Mode) -> float:
        if not minutes >= 0:
            raise ValueError(f"minutes must be non-negative, got {minutes!r}")
        return float(minutes) * self._max_speed[Mode(mode)]

    def minutes(
        self, origins: Sequence[Point], destinations: Sequence[Point], mode: Mode
    ) -> npt.NDArray[np.float64]:
        mode = Mode(mode)
        base = self._urls.get(mode)
        if base is None:
            raise TravelTimeUnavailable(f"no OSRM server configured for mode {mode.value!r}")
        sources, targets = list(origins), list(destinations)
        result = np.full((len(sources), len(targets)), np.inf, dtype=np.float64)
        if not sources or not targets:
            return result
        rows, cols = chunk_sizes(len(sources), len(targets), self.max_locations)
        for i in range(0, len(sources), rows):
            for j in range(0, len(targets), cols):
                block = self._table(base, self._profiles[mode], sources[i : i + rows], targets[j : j + cols])
                result[i : i + rows, j : j + cols] = block / 60.0
        return result

    def _table(
        self, base: str, profile: str, sources: list[Point], targets: list[Point]
    ) -> npt.NDArray[np.float64]:
        """One Table request; returns durations in seconds."""
        coords = ";".join(f"{p.lng:.6f},{p.lat:.6f}" for p in (*sources, *targets))
        src = ";".join(str(i) for i in range(len(sources)))
        dst = ";".join(str(len(sources) + j) for j in range(len(targets)))
        url = f"{base}/table/v1/{profile}/{coords}?sources={src}&destinations={dst}&annotations=duration"
        payload = self._fetch(url, profile)
        return _durations(payload, len(sources), len(targets))

    def _fetch(self, url: str, profile: str) -> Mapping[str, object]:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                body: bytes = response.read()
        except urllib.error.HTTPError as exc:
            # OSRM explains 4xx errors in a JSON body; surface that message.
            detail = _error_detail(exc)
            raise TravelTimeUnavailable(f"OSRM {profile} returned HTTP {exc.code}{detail}") from exc
        except (OSError, http.client.HTTPException) as exc:  # URLError, timeouts, resets
            raise TravelTimeUnavailable(f"OSRM {profile} request failed: {exc}") from exc
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise TravelTimeUnavailable(f"OSRM {profile} sent invalid JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise TravelTimeUnavailable(f"OSRM {profile} sent a non-object response")
        if payload.get("code") != "Ok":
            raise TravelTimeUnavailable(
                f"OSRM {profile} error {payload.get('code')!r}: {payload.get('message', '')}"
            )
        return payload


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        payload = json.loads(exc.read())
    except (OSError, ValueError, http.client.HTTPException):
        return ""
    if isinstance(payload, dict) and "code" in payload:
        return f": {payload['code']}: {payload.get('message', '')}"
    return ""


def _durations(payload: Mapping[str, object], n_rows: int, n_cols: int) -> npt.NDArray[np.float64]:
    rows = payload.get("durations")
    if not isinstance(rows, list) or len(rows) != n_rows:
        raise TravelTimeUnavailable(f"OSRM durations missing or not {n_rows} rows")
    matrix = np.empty((n_rows, n_cols), dtype=np.float64)
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != n_cols:
            raise TravelTimeUnavailable(f"OSRM durations row {i} is not {n_cols} values")
        for j, value in enumerate(row):
            if value is None:  # OSRM's way of saying "no route"
                matrix[i, j] = np.inf
            elif isinstance(value, int | float) and not isinstance(value, bool):
                matrix[i, j] = value
            else:
                raise TravelTimeUnavailable(f"OSRM duration {value!r} is not a number")
    return matrix
