"""The words of a plan: what a hub lacks, what it ships, why it is late."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from hyperlocal.orders.allocation.model import Candidate
from hyperlocal.orders.allocation.strategies import minutes

Names = Mapping[int, str]
SHOWN = 3  # items listed before "and N more"


def label(product_id: int, names: Names) -> str:
    return names.get(product_id) or f"product #{product_id}"


def units(lines: Mapping[int, int], names: Names) -> str:
    """{7: 2, 9: 1} -> "2 × 제주 감귤 1kg, 1 × 이천 쌀 4kg" (at most three, then "and N more")."""
    items = [f"{q} × {label(p, names)}" for p, q in sorted(lines.items()) if q > 0]
    if len(items) > SHOWN:
        items = [*items[:SHOWN], f"{len(items) - SHOWN} more"]
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0] if items else "nothing"


def lacking(stock: Mapping[int, int], basket: Mapping[int, int]) -> dict[int, int]:
    return {p: q - max(0, stock.get(p, 0)) for p, q in basket.items() if stock.get(p, 0) < q}


def all_products(basket: Mapping[int, int]) -> str:
    n = len(basket)
    return "the product" if n == 1 else f"all {n} products"


def ride(c: Candidate) -> str:
    return f"{minutes(c.travel_minutes)} min ride"


def no_instant(c: Candidate) -> str:
    if c.eta_minutes is None:
        return "offers no instant delivery now (closed, or instant delivery off)"
    return f"ETA {c.eta_minutes} min exceeds its {c.promise_minutes} min promise"


def timing(c: Candidate, instant: bool) -> str:
    """ ", ETA 19 min" when it can deliver now; what stops it when instant was asked for."""
    if c.meets_promise:
        return f", ETA {c.eta_minutes} min"
    if not instant:
        return ""
    if c.eta_minutes is None:
        return "; slot delivery only (no instant delivery now: closed, or instant delivery off)"
    return f"; slot delivery only (ETA {c.eta_minutes} min exceeds its {c.promise_minutes} min promise)"


def moment(when: datetime, now: datetime) -> str:
    local = when.astimezone(now.tzinfo) if now.tzinfo and when.tzinfo else when
    return f"{local:%Y-%m-%d %H:%M}"


def hubs_phrase(count: int, what: str) -> str:
    """(1, "with it") -> "the only hub with it"; (3, "with it") -> "of the 3 hubs with it"."""
    return f"the only hub {what}" if count == 1 else f"of the {count} hubs {what}"
