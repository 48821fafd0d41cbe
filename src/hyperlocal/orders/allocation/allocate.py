"""Choose the hub(s) for a basket.

1. One hub with the whole basket (and, for instant delivery, an ETA within its promise):
   the best of them by the strategy wins.
2. Otherwise the best pair of hubs whose stock together covers it: each product goes wholly
   to one hub when either has enough (to the better-ranked one when both have), and is split
   over the two only when neither has enough alone. At most two shipments.
   For instant delivery only hubs within their promise take part. When no hub or pair can
   deliver instantly, a hub (or pair) that has the goods still serves the basket, in a slot:
   a customer who asked for "now" would rather pick a later slot than be told "no".
3. Otherwise it cannot be served now: `missing` names the units that even the best hub or
   pair lacks, and `earliest_at` is when expected inbound stock lets one hub or pair serve it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

from hyperlocal.orders.allocation import explain as say
from hyperlocal.orders.allocation.model import CHOSEN, REJECTED, Candidate, Plan, ShipmentPlan, Verdict
from hyperlocal.orders.allocation.strategies import AllocationStrategy, shortfall
from hyperlocal.orders.allocation.words import Wording, wording_for

Basket = Mapping[int, int]
Stock = Mapping[int, int]


@dataclass(frozen=True)
class _Pair:
    first: Candidate  # the better-ranked hub
    second: Candidate
    first_lines: dict[int, int]
    second_lines: dict[int, int]


def covers(stock: Stock, basket: Basket) -> bool:
    return all(stock.get(p, 0) >= q for p, q in basket.items())


def assign(first: Stock, second: Stock, basket: Basket) -> tuple[dict[int, int], dict[int, int], int] | None:
    """Lines for two hubs (the first ranks better) and how many products are split; None
    when together they cannot cover the basket."""
    a: dict[int, int] = {}
    b: dict[int, int] = {}
    splits = 0
    for p, q in sorted(basket.items()):
        sa, sb = max(0, first.get(p, 0)), max(0, second.get(p, 0))
        if sa >= q:
            a[p] = q
        elif sb >= q:
            b[p] = q
        elif sa + sb >= q:  # neither alone: the better-ranked hub gives all it has
            a[p], b[p] = sa, q - sa
            splits += 1
        else:
            return None
    return a, b, splits


def _best_pair(ranked: Sequence[Candidate], basket: Basket, strategy: AllocationStrategy) -> _Pair | None:
    best: tuple[tuple[float, ...], _Pair] | None = None
    for first, second in combinations(ranked, 2):  # `ranked` order: first ranks better
        lines = assign(first.stock, second.stock, basket)
        if lines is None or not lines[0] or not lines[1]:
            continue
        key = (*strategy.pair_key(first, second, basket), lines[2], first.hub_id, second.hub_id)
        if best is None or key < best[0]:
            best = (key, _Pair(first, second, lines[0], lines[1]))
    return best[1] if best else None


def _shipment(c: Candidate, lines: Mapping[int, int]) -> ShipmentPlan:
    eta = c.eta_minutes if c.meets_promise else None
    return ShipmentPlan(c.hub_id, c.hub_name, dict(lines), eta, c.travel_minutes)


def _clean(basket: Basket) -> dict[int, int]:
    if any(q <= 0 for q in basket.values()):
        raise ValueError("every basket quantity must be positive")
    if not basket:
        raise ValueError("the basket is empty")
    return dict(basket)


class _Allocation:
    def __init__(
        self,
        basket: Basket,
        candidates: Sequence[Candidate],
        strategy: AllocationStrategy,
        now: datetime,
        instant: bool,
        names: Mapping[int, str],
        words: Wording,
    ) -> None:
        self.basket = _clean(basket)
        self.strategy = strategy
        self.now = now
        self.instant = instant
        self.names = names
        self.words = words
        self.ranked = sorted(candidates, key=lambda c: (*strategy.key(c, self.basket), c.hub_id))

    # -- the plan --------------------------------------------------------------------------

    def plan(self) -> Plan:
        full = [c for c in self.ranked if covers(c.stock, self.basket)]
        if self.instant:
            quick_full = [c for c in full if c.meets_promise]
            if quick_full:
                return self._single(quick_full[0], quick_full, self.words.with_basket_quick)
            quick = [c for c in self.ranked if c.meets_promise]
            pair = _best_pair(quick, self.basket, self.strategy)
            if pair:
                return self._split(pair, quick, within_promise=True, slow_full=bool(full))
        if full:
            return self._single(full[0], full, self.words.with_basket)
        pair = _best_pair(self.ranked, self.basket, self.strategy)
        if pair:
            return self._split(pair, self.ranked, within_promise=False, slow_full=False)
        return self._unservable()

    def _single(self, winner: Candidate, peers: Sequence[Candidate], what: str) -> Plan:
        w = self.words
        best = w.label(self.strategy.name, self.strategy.label)
        ranked = say.ranked_among(len(peers), what, best, w)
        if winner.meets_promise and self.instant:
            template = w.single_now
        elif self.instant:
            template = w.single_slot_fallback
        else:
            template = w.single_slot
        summary = template.format(hub=winner.hub_name, eta=winner.eta_minutes, ranked=ranked)
        reason = w.chosen_whole.format(
            products=say.all_products(self.basket, w),
            ride=say.ride(winner, w),
            timing=say.timing(winner, self.instant, w),
        )
        chosen = {winner.hub_id: reason}
        return self._finish((_shipment(winner, self.basket),), chosen, summary, winner=winner)

    def _split(
        self, pair: _Pair, eligible: Sequence[Candidate], *, within_promise: bool, slow_full: bool
    ) -> Plan:
        a, b, w = pair.first, pair.second, self.words
        if within_promise:
            why = w.split_why_quick_full if slow_full else w.split_why_no_full
            template = w.split_within_promise
        elif self.instant:
            why, template = w.split_why_nothing_quick, w.split_in_slot
        else:
            why, template = w.split_why_no_full, w.split
        summary = template.format(why=why, first=a.hub_name, second=b.hub_name)
        chosen = {
            c.hub_id: w.chosen_part.format(
                units=say.units(lines, self.names, w),
                ride=say.ride(c, w),
                timing=say.timing(c, self.instant, w),
            )
            for c, lines in ((a, pair.first_lines), (b, pair.second_lines))
        }
        shipments = (_shipment(a, pair.first_lines), _shipment(b, pair.second_lines))
        return self._finish(shipments, chosen, summary, pair=pair, eligible=eligible)

    def _unservable(self) -> Plan:
        missing = self._missing()
        earliest = self._earliest_at()
        lacks = say.units(missing, self.names, self.words)
        if earliest is not None:
            when = say.moment(earliest, self.now, self.words)
            summary = self.words.unservable_until.format(lacks=lacks, when=when)
        else:
            summary = self.words.unservable.format(lacks=lacks)
        return self._finish((), {}, summary, missing=missing, earliest_at=earliest)

    # -- what is missing, and when it arrives ----------------------------------------------

    def _missing(self) -> dict[int, int]:
        """The shortfall of the hub or pair that comes closest to covering the basket."""
        best: tuple[tuple[int, int, int, int], dict[int, int]] | None = None
        options: list[tuple[tuple[Candidate, ...], dict[int, int]]] = []
        for c in self.ranked:
            options.append(((c,), say.lacking(c.stock, self.basket)))
        for first, second in combinations(self.ranked, 2):
            together = {p: first.stock.get(p, 0) + second.stock.get(p, 0) for p in self.basket}
            options.append(((first, second), say.lacking(together, self.basket)))
        order = {c.hub_id: i for i, c in enumerate(self.ranked)}
        for hubs, lack in options:
            ranks = [order[h.hub_id] for h in hubs]
            key = (sum(lack.values()), len(hubs), ranks[0], ranks[-1])
            if best is None or key < best[0]:
                best = (key, lack)
        return best[1] if best else dict(self.basket)

    def _earliest_at(self) -> datetime | None:
        arrivals: list[tuple[datetime, int, int, int]] = sorted(
            (max(at, self.now), c.hub_id, p, q)
            for c in self.ranked
            for at, p, q in c.incoming
            if p in self.basket and q > 0
        )
        stock = {c.hub_id: dict(c.stock) for c in self.ranked}
        for i, (at, hub_id, p, q) in enumerate(arrivals):
            stock[hub_id][p] = stock[hub_id].get(p, 0) + q
            if i + 1 < len(arrivals) and arrivals[i + 1][0] == at:
                continue  # apply every arrival of the same moment first
            if self._coverable(list(stock.values())):
                aware = at.tzinfo is not None and self.now.tzinfo is not None
                return at.astimezone(self.now.tzinfo) if aware else at  # read in `now`'s zone
        return None

    def _coverable(self, stocks: Sequence[Stock]) -> bool:
        if any(covers(s, self.basket) for s in stocks):
            return True
        return any(assign(a, b, self.basket) is not None for a, b in combinations(stocks, 2))

    # -- verdicts --------------------------------------------------------------------------

    def _finish(
        self,
        shipments: tuple[ShipmentPlan, ...],
        chosen: Mapping[int, str],
        summary: str,
        *,
        winner: Candidate | None = None,
        pair: _Pair | None = None,
        eligible: Sequence[Candidate] = (),
        missing: Mapping[int, int] | None = None,
        earliest_at: datetime | None = None,
    ) -> Plan:
        verdicts = [Verdict(s.hub_id, s.hub_name, CHOSEN, chosen[s.hub_id]) for s in shipments]
        for c in self.ranked:
            if c.hub_id not in chosen:
                reason = self._why_not(c, winner, pair, eligible)
                verdicts.append(Verdict(c.hub_id, c.hub_name, REJECTED, reason))
        return Plan(
            shipments=shipments,
            verdicts=tuple(verdicts),
            summary=summary,
            strategy=self.strategy.name,
            missing=dict(missing or {}),
            earliest_at=earliest_at,
        )

    def _why_not(
        self, c: Candidate, winner: Candidate | None, pair: _Pair | None, eligible: Sequence[Candidate]
    ) -> str:
        w = self.words
        lack = say.lacking(c.stock, self.basket)
        late = self.instant and not c.meets_promise
        if not lack:
            products = say.all_products(self.basket, w)
            if late and (winner is None or winner.meets_promise or pair is not None):
                return w.rejected_late.format(products=products, why=say.no_instant(c, w))
            if winner is not None:
                why = self.strategy.why_better(winner, c, self.basket, w)
                return w.rejected_ranked.format(products=products, why=why)
        reason = w.lacks.format(units=say.units(lack, self.names, w))
        if late:
            reason += w.and_late.format(why=say.no_instant(c, w))
        if pair is not None and c in eligible:
            partners = [o for o in eligible if o is not c and self._pairs(c, o)]
            reason += (
                w.pairing_below.format(first=pair.first.hub_name, second=pair.second.hub_name)
                if partners
                else w.no_partner
            )
        return reason

    def _pairs(self, one: Candidate, other: Candidate) -> bool:
        return assign(one.stock, other.stock, self.basket) is not None


def allocate(
    basket: Mapping[int, int],
    candidates: Sequence[Candidate],
    strategy: AllocationStrategy,
    *,
    now: datetime,
    instant: bool,
    names: Mapping[int, str] | None = None,
    language: str = "en",
) -> Plan:
    """The plan for `basket` (product_id -> units, each > 0) over the hubs that serve the
    delivery cell. `names` (product_id -> name) only make the explanation readable, and
    `language` ("en", "ko", "ko-kr", ...: see `wording_for`) picks its words.
    Deterministic: ties are broken by hub id. ValueError for an empty basket or a quantity <= 0.
    """
    words = wording_for(language)
    return _Allocation(basket, candidates, strategy, now, instant, names or {}, words).plan()


__all__ = ["allocate", "assign", "covers", "shortfall"]
