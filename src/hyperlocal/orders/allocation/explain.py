"""The words of a plan: what a hub lacks, what it ships, why it is late, in a `Wording`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from hyperlocal.orders.allocation.model import Candidate
from hyperlocal.orders.allocation.strategies import minutes
from hyperlocal.orders.allocation.words import Wording

Names = Mapping[int, str]
SHOWN = 3  # items listed before "and N more"


def label(product_id: int, names: Names, words: Wording) -> str:
    return names.get(product_id) or words.unnamed_product.format(product_id=product_id)


def units(lines: Mapping[int, int], names: Names, words: Wording) -> str:
    """{7: 2, 9: 1} -> "2 × 제주 감귤 1kg and 1 × 이천 쌀 4kg" (at most three, then "and N more")."""
    items = [
        words.item.format(quantity=q, name=label(p, names, words)) for p, q in sorted(lines.items()) if q > 0
    ]
    if not items:
        return words.nothing
    hidden = max(0, len(items) - SHOWN)
    return words.listing(items[:SHOWN], hidden)


def lacking(stock: Mapping[int, int], basket: Mapping[int, int]) -> dict[int, int]:
    return {p: q - max(0, stock.get(p, 0)) for p, q in basket.items() if stock.get(p, 0) < q}


def all_products(basket: Mapping[int, int], words: Wording) -> str:
    n = len(basket)
    return words.one_product if n == 1 else words.all_products.format(count=n)


def ride(c: Candidate, words: Wording) -> str:
    return words.ride.format(minutes=minutes(c.travel_minutes))


def no_instant(c: Candidate, words: Wording) -> str:
    if c.eta_minutes is None:
        return words.no_instant_closed
    return words.no_instant_late.format(eta=c.eta_minutes, promise=c.promise_minutes)


def timing(c: Candidate, instant: bool, words: Wording) -> str:
    """ ", ETA 19 min" when it can deliver now; what stops it when instant was asked for."""
    if c.meets_promise:
        return words.eta.format(eta=c.eta_minutes)
    if not instant:
        return ""
    if c.eta_minutes is None:
        return words.slot_only_closed
    return words.slot_only_late.format(eta=c.eta_minutes, promise=c.promise_minutes)


def moment(when: datetime, now: datetime, words: Wording) -> str:
    local = when.astimezone(now.tzinfo) if now.tzinfo and when.tzinfo else when
    return words.when(local)


def ranked_among(count: int, what: str, best: str, words: Wording) -> str:
    """(1, "with it", _) -> "the only hub with it";
    (3, "with it", "the nearest") -> "the nearest of the 3 hubs with it"."""
    if count == 1:
        return words.only_hub.format(what=what)
    return words.best_of.format(best=best, count=count, what=what)
