"""A fake OSRM Table server, so the OSRM client is tested over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from hyperlocal.geo import Point, haversine_m

# The fake server's routing: straight line at 5 m/s, so expectations are easy
# to compute independently of the client.
FAKE_SPEED_M_PER_S = 5.0


@dataclass
class FakeOsrm:
    url: str
    behaviour: str = "ok"  # ok | null_far | error_code | http500 | http400 | slow | garbage
    null_beyond_m: float = 1_000.0
    requests: list[str] = field(default_factory=list)

    def coords_per_request(self) -> list[int]:
        return [len(urlsplit(r).path.split("/")[-1].split(";")) for r in self.requests]


def _table(path: str, fake: FakeOsrm) -> tuple[int, object]:
    parts = urlsplit(path)
    segments = parts.path.split("/")  # ["", "table", "v1", profile, coords]
    assert segments[1:3] == ["table", "v1"], path
    coords = [tuple(map(float, c.split(","))) for c in segments[4].split(";")]
    points = [Point(lat, lng) for lng, lat in coords]  # OSRM order is lng,lat
    query = parse_qs(parts.query)
    assert query["annotations"] == ["duration"], path
    sources = [int(i) for i in query["sources"][0].split(";")]
    destinations = [int(i) for i in query["destinations"][0].split(";")]
    durations: list[list[float | None]] = []
    for s in sources:
        row: list[float | None] = []
        for d in destinations:
            metres = haversine_m(points[s], points[d])
            far = fake.behaviour == "null_far" and metres > fake.null_beyond_m
            row.append(None if far else metres / FAKE_SPEED_M_PER_S)
        durations.append(row)
    return 200, {"code": "Ok", "durations": durations}


def _make_handler(fake: FakeOsrm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            body: bytes
            if fake.behaviour == "http500":
                status, body = 500, b"Internal Server Error"
            elif fake.behaviour == "http400":
                status = 400
                body = json.dumps({"code": "TooBig", "message": "Too many table coordinates"}).encode()
            elif fake.behaviour == "error_code":
                status = 200
                body = json.dumps(
                    {"code": "NoSegment", "message": "Could not find a matching segment"}
                ).encode()
            elif fake.behaviour == "garbage":
                status, body = 200, b"<html>not json</html>"
            else:
                if fake.behaviour == "slow":
                    time.sleep(1.0)
                status, payload = _table(self.path, fake)
                body = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep pytest output clean

    return Handler


@pytest.fixture
def fake_osrm() -> Iterator[FakeOsrm]:
    fake = FakeOsrm(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll interval keeps shutdown() (and so each test) fast.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
