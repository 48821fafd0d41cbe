"""Replays of real days from CSV: an orders file and a couriers file.

Orders: ``id``, ``placed_at``, the pickup (``hub`` id and/or a pickup point), the drop-off
point, optional ``ready_at`` (packed at; otherwise the hub's picking model), ``items`` (1),
``due_by`` (otherwise placed_at + the promise). Couriers: ``id``, a start point, ``on_at``,
``off_at``, optional ``mode`` (bike), ``capacity`` (10), ``hub`` (otherwise the nearest).

Points are ``<prefix>_lat``/``<prefix>_lng`` or planar metres ``<prefix>_x``/``<prefix>_y``
(prefixes ``pickup``, ``dropoff``, ``start``); planar files need a speed in metres per
minute and are measured with ``PlanarTravelModel``. Times are ISO 8601 date-times (an
offset-less one is local time in ``timezone``) or minutes since the start of the day.

Every row is checked before anything runs; errors name the file, line and field.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo

from hyperlocal.geo import CircuityModel, InvalidCoordinates, Mode, Point, TravelTimeModel, haversine_m

from .planar import PlanarTravelModel, from_planar
from .scenario import CourierSpec, HubSpec, OrderSpec, Scenario
from .synthetic import SEOUL

__all__ = ["ReplayError", "read_replay"]

MAX_MESSAGES = 20
Time = float | datetime


class ReplayError(ValueError):
    """A replay file is malformed; ``messages`` lists each problem with file, line and field."""

    def __init__(self, messages: Sequence[str]) -> None:
        shown = list(messages[:MAX_MESSAGES])
        if len(messages) > MAX_MESSAGES:
            shown.append(f"... and {len(messages) - MAX_MESSAGES} more")
        super().__init__("\n".join(shown))
        self.messages = list(messages)


class _Bad(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class _Rows:
    """One CSV file's rows with their line numbers, and the errors found so far."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    errors: list[str] = field(default_factory=list)

    def error(self, line: int, field: str, message: str) -> None:
        self.errors.append(f"{self.name}, line {line}, field {field}: {message}")


def _read(name: str, text: str, required: Iterable[str]) -> _Rows:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    rows = _Rows(name, header, [])
    missing = [c for c in required if c not in header]
    if not header:
        rows.errors.append(f"{name}: the file is empty (no header line)")
    elif missing:
        rows.errors.append(f"{name}, line 1: missing column(s) {', '.join(missing)}")
    else:
        reader.fieldnames = header
        for row in reader:
            if None in row:
                rows.error(reader.line_num, "-", f"more values than the {len(header)} columns")
                continue
            rows.rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
        if not rows.rows:
            rows.errors.append(f"{name}: no rows after the header")
    return rows


def _planar(rows: _Rows, prefix: str) -> bool | None:
    """True for x/y, False for lat/lng, None when the file has neither for this prefix."""
    has_xy = {f"{prefix}_x", f"{prefix}_y"} <= set(rows.header)
    has_ll = {f"{prefix}_lat", f"{prefix}_lng"} <= set(rows.header)
    if has_xy and has_ll:
        rows.errors.append(f"{rows.name}, line 1: both {prefix}_lat/_lng and {prefix}_x/_y; keep one")
    return True if has_xy else False if has_ll else None


def _number(row: dict[str, str], name: str) -> float:
    value = row.get(name, "")
    if value == "":
        raise _Bad(name, "missing value")
    try:
        number = float(value)
    except ValueError:
        raise _Bad(name, f"not a number: {value!r}") from None
    if not math.isfinite(number):
        raise _Bad(name, f"not a finite number: {value!r}")
    return number


def _point(row: dict[str, str], prefix: str, planar: bool) -> Point:
    if planar:
        x, y = _number(row, f"{prefix}_x"), _number(row, f"{prefix}_y")
        try:
            return from_planar(x, y)
        except InvalidCoordinates:
            raise _Bad(f"{prefix}_x", "planar coordinates out of range (beyond 10,000 km)") from None
    lat, lng = _number(row, f"{prefix}_lat"), _number(row, f"{prefix}_lng")
    try:
        return Point(lat, lng)
    except InvalidCoordinates as exc:
        raise _Bad(f"{prefix}_{exc.field}", str(exc)) from None


def _time(row: dict[str, str], name: str, zone: tzinfo) -> Time:
    value = row.get(name, "")
    if value == "":
        raise _Bad(name, "missing value")
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(number):
            raise _Bad(name, f"not a finite number of minutes: {value!r}")
        return number
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(name, f"not an ISO 8601 date-time or a number of minutes: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _positive_int(row: dict[str, str], name: str, default: int) -> int:
    value = row.get(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise _Bad(name, f"not a whole number: {value!r}") from None
    if number < 1:
        raise _Bad(name, f"must be at least 1, got {number}")
    return number


@dataclass(frozen=True)
class _Order:
    line: int
    id: str
    placed_at: Time
    hub: str
    pickup: Point | None
    drop_off: Point
    items: int
    ready_at: Time | None
    due_by: Time | None


@dataclass(frozen=True)
class _Courier:
    line: int
    id: str
    start: Point
    on_at: Time
    off_at: Time
    mode: Mode
    capacity: int
    hub: str


def _orders(rows: _Rows, zone: tzinfo) -> list[_Order]:
    pickup_planar = _planar(rows, "pickup")
    drop_planar = _planar(rows, "dropoff")
    if drop_planar is None and rows.header:
        rows.errors.append(
            f"{rows.name}, line 1: missing columns dropoff_lat/dropoff_lng (or dropoff_x/dropoff_y)"
        )
    if pickup_planar is None and "hub" not in rows.header and rows.header:
        rows.errors.append(
            f"{rows.name}, line 1: missing column hub (or pickup_lat/pickup_lng, pickup_x/pickup_y)"
        )
    if pickup_planar is not None and drop_planar is not None and pickup_planar != drop_planar:
        rows.errors.append(f"{rows.name}, line 1: pickup and drop-off use different coordinate kinds")
    if rows.errors:
        return []
    orders, seen = [], set()
    for line, row in rows.rows:
        try:
            if not row["id"]:
                raise _Bad("id", "missing value")
            if row["id"] in seen:
                raise _Bad("id", f"duplicate order id {row['id']!r}")
            seen.add(row["id"])
            placed = _time(row, "placed_at", zone)
            ready = _time(row, "ready_at", zone) if row.get("ready_at") else None
            due = _time(row, "due_by", zone) if row.get("due_by") else None
            pickup = _point(row, "pickup", pickup_planar) if pickup_planar is not None else None
            hub = row.get("hub", "")
            if pickup is None and not hub:
                raise _Bad("hub", "missing value (and no pickup point)")
            orders.append(
                _Order(
                    line,
                    row["id"],
                    placed,
                    hub,
                    pickup,
                    _point(row, "dropoff", bool(drop_planar)),
                    _positive_int(row, "items", 1),
                    ready,
                    due,
                )
            )
        except _Bad as bad:
            rows.error(line, bad.field, str(bad))
    return orders


def _couriers(rows: _Rows, zone: tzinfo) -> list[_Courier]:
    planar = _planar(rows, "start")
    if planar is None and rows.header:
        rows.errors.append(f"{rows.name}, line 1: missing columns start_lat/start_lng (or start_x/start_y)")
    if rows.errors:
        return []
    couriers, seen = [], set()
    for line, row in rows.rows:
        try:
            if not row["id"]:
                raise _Bad("id", "missing value")
            if row["id"] in seen:
                raise _Bad("id", f"duplicate courier id {row['id']!r}")
            seen.add(row["id"])
            mode_text = row.get("mode", "") or Mode.BIKE.value
            try:
                mode = Mode(mode_text)
            except ValueError:
                raise _Bad("mode", f"unknown mode {mode_text!r}; one of {', '.join(Mode)}") from None
            couriers.append(
                _Courier(
                    line,
                    row["id"],
                    _point(row, "start", bool(planar)),
                    _time(row, "on_at", zone),
                    _time(row, "off_at", zone),
                    mode,
                    _positive_int(row, "capacity", 10),
                    row.get("hub", ""),
                )
            )
        except _Bad as bad:
            rows.error(line, bad.field, str(bad))
    return couriers


def _line_order(message: str) -> int:
    """Sort key: the line number in "file, line N, field ..." (file-level messages first)."""
    _, _, rest = message.partition(", line ")
    number = rest.split(",", 1)[0].split(":", 1)[0]
    return int(number) if number.isdigit() else 0


class _Clock:
    """Minutes since the start of the day for either kind of time value."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def __call__(self, value: Time) -> float:
        if isinstance(value, datetime):
            return (value - self.start).total_seconds() / 60
        return value


def _start(values: Iterable[Time], start: datetime | None, zone: tzinfo) -> datetime:
    if start is not None:
        return start if start.tzinfo else start.replace(tzinfo=zone)
    moments = [v for v in values if isinstance(v, datetime)]
    if moments:  # the hour the first order falls in
        return min(moments).astimezone(zone).replace(minute=0, second=0, microsecond=0)
    return datetime.combine(datetime.now(zone).date(), time(0), zone)


def read_replay(
    orders_csv: str,
    couriers_csv: str,
    *,
    speed_m_per_min: float | None = None,
    hubs: Sequence[HubSpec] = (),
    start: datetime | None = None,
    timezone: tzinfo = SEOUL,
    promise_minutes: float = 60.0,
    travel: TravelTimeModel | None = None,
) -> Scenario:
    """A scenario from the two files' text. ``hubs`` are the known hubs that a ``hub``
    column may name; a pickup point that is no known hub becomes a hub of its own. Raises
    ``ReplayError`` listing every bad row (nothing runs with a half-read file)."""
    order_rows = _read("orders", orders_csv, ["id", "placed_at"])
    courier_rows = _read("couriers", couriers_csv, ["id", "on_at", "off_at"])
    raw_orders = _orders(order_rows, timezone)
    raw_couriers = _couriers(courier_rows, timezone)
    planar = bool(_planar(order_rows, "dropoff")) if order_rows.header else False
    # File-level problems first; row problems of both passes are reported together.
    problems: list[str] = []
    if courier_rows.header and planar != bool(_planar(courier_rows, "start")):
        problems.append("couriers, line 1: the files use different coordinate kinds (lat/lng and x/y)")
    if planar and speed_m_per_min is None and travel is None:
        problems.append("planar coordinates (x/y metres) need a speed in metres per minute (--speed)")
    if speed_m_per_min is not None and not speed_m_per_min > 0:
        problems.append(f"the speed must be a positive number of metres per minute, got {speed_m_per_min!r}")
    if problems:
        raise ReplayError(order_rows.errors + courier_rows.errors + problems)
    clock = _Clock(
        _start([o.placed_at for o in raw_orders] + [c.on_at for c in raw_couriers], start, timezone)
    )
    if travel is None:
        travel = PlanarTravelModel(speed_m_per_min or 1.0) if planar else CircuityModel()

    known = {h.id: h for h in hubs}
    by_point: dict[Point, str] = {h.point: h.id for h in hubs}
    for o in raw_orders:
        if o.pickup is not None and o.pickup not in by_point:
            hub_id = o.hub or f"p{len(by_point) + 1}"
            if hub_id in known and known[hub_id].point != o.pickup:
                order_rows.error(o.line, "hub", f"hub {hub_id!r} appears with two different pickup points")
                continue
            by_point[o.pickup] = hub_id
            known[hub_id] = HubSpec(hub_id, o.pickup, hub_id, promise_minutes)
    orders = []
    for o in raw_orders:
        hub_id = by_point[o.pickup] if o.pickup is not None and o.pickup in by_point else o.hub
        if hub_id not in known:
            order_rows.error(o.line, "hub", f"unknown hub {o.hub!r}")
            continue
        placed = clock(o.placed_at)
        ready = clock(o.ready_at) if o.ready_at is not None else None
        due = clock(o.due_by) if o.due_by is not None else placed + known[hub_id].promise_minutes
        if ready is not None and ready < placed:
            order_rows.error(o.line, "ready_at", "before placed_at")
            continue
        if due <= placed:
            order_rows.error(o.line, "due_by", "not after placed_at")
            continue
        orders.append(OrderSpec(o.id, placed, hub_id, o.drop_off, o.items, due, ready))
    couriers = []
    for c in raw_couriers:
        on_at, off_at = clock(c.on_at), clock(c.off_at)
        if off_at <= on_at:
            courier_rows.error(c.line, "off_at", "not after on_at")
            continue
        if c.hub and c.hub not in known:
            courier_rows.error(c.line, "hub", f"unknown hub {c.hub!r}")
            continue
        if not known:
            continue
        hub = (
            known[c.hub]
            if c.hub
            else min(known.values(), key=lambda h: (haversine_m(h.point, c.start), h.id))
        )
        # A courier starting elsewhere first rides to its hub.
        ride = float(travel.minutes([c.start], [hub.point], c.mode)[0, 0])
        if not math.isfinite(ride):
            courier_rows.error(c.line, "start", "no route from the start point to the hub")
            continue
        if on_at + ride >= off_at:
            courier_rows.error(c.line, "start", f"the ride to hub {hub.id!r} takes longer than the shift")
            continue
        couriers.append(CourierSpec(c.id, hub.id, c.mode, c.capacity, on_at + ride, off_at))
    errors = sorted(order_rows.errors, key=_line_order) + sorted(courier_rows.errors, key=_line_order)
    if errors:
        raise ReplayError(errors)
    used = {o.hub_id for o in orders} | {c.hub_id for c in couriers}
    return Scenario(
        start=clock.start,
        hubs=tuple(h for h in known.values() if h.id in used),
        couriers=tuple(couriers),
        orders=tuple(sorted(orders, key=lambda o: (o.placed_at, o.id))),
        travel=travel,
        name=f"replay: {len(orders):,} orders, {len(couriers)} couriers",
    )
