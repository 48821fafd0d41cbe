"""Pluggable ranking of hubs: nearest, most stock, cheapest to serve.

A strategy only orders hubs and pairs of hubs (smaller keys rank first); the algorithm in
`allocate` decides what is eligible. Ties are broken by hub id there, so that the same input
always gives the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from hyperlocal.orders.allocation.model import Candidate
from hyperlocal.orders.allocation.words import ENGLISH, Wording

Basket = Mapping[int, int]
Key = tuple[float, ...]
INF = float("inf")


def minutes(value: float) -> str:
    """7.0 -> "7", 7.25 -> "7.3": ride times as people read them."""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def shortfall(stock: Mapping[int, int], basket: Basket) -> int:
    """Units of the basket that this stock cannot give."""
    return sum(max(0, q - stock.get(p, 0)) for p, q in basket.items())


def depth(stock: Mapping[int, int], basket: Basket) -> int:
    """Units in stock of the basket's products (not capped by the basket)."""
    return sum(max(0, stock.get(p, 0)) for p in basket)


class AllocationStrategy(Protocol):
    name: str
    label: str  # in English, for a Wording that does not know `name` (see Wording.labels)

    def key(self, candidate: Candidate, basket: Basket) -> Key:
        """Rank of one hub; smaller ranks first."""
        ...

    def pair_key(self, first: Candidate, second: Candidate, basket: Basket) -> Key:
        """Rank of a pair of hubs that together serve the basket; smaller ranks first."""
        ...

    def why_better(
        self, winner: Candidate, loser: Candidate, basket: Basket, words: Wording = ENGLISH
    ) -> str:
        """Why `winner` ranks before `loser`, e.g. "Hub A is nearer (5 vs 7 min ride)"."""
        ...


def _nearer(template: str, winner: Candidate, loser: Candidate) -> str:
    mine, theirs = minutes(winner.travel_minutes), minutes(loser.travel_minutes)
    return template.format(winner=winner.hub_name, mine=mine, theirs=theirs)


def _tie(winner: Candidate, words: Wording) -> str:
    return words.tie.format(winner=winner.hub_name)


def _eta(c: Candidate) -> float:
    return INF if c.eta_minutes is None else float(c.eta_minutes)


class NearestHub:
    """Shortest courier ride, then the soonest instant ETA; a pair by its longer ride."""

    name = "nearest"
    label = "the nearest"

    def key(self, candidate: Candidate, basket: Basket) -> Key:
        return (candidate.travel_minutes, _eta(candidate))

    def pair_key(self, first: Candidate, second: Candidate, basket: Basket) -> Key:
        rides = (first.travel_minutes, second.travel_minutes)
        return (max(rides), sum(rides))

    def why_better(
        self, winner: Candidate, loser: Candidate, basket: Basket, words: Wording = ENGLISH
    ) -> str:
        if winner.travel_minutes < loser.travel_minutes:
            return _nearer(words.nearer, winner, loser)
        if _eta(winner) < _eta(loser):
            return words.sooner.format(winner=winner.hub_name, eta=winner.eta_minutes)
        return _tie(winner, words)


class MostStock:
    """Fewest missing units, then the deepest stock of the basket's products (least risk of
    a short pick, and scarce units stay where they are scarce), then the nearest."""

    name = "most_stock"
    label = "the best stocked"

    def key(self, candidate: Candidate, basket: Basket) -> Key:
        stock = candidate.stock
        return (shortfall(stock, basket), -depth(stock, basket), candidate.travel_minutes)

    def pair_key(self, first: Candidate, second: Candidate, basket: Basket) -> Key:
        rides = (first.travel_minutes, second.travel_minutes)
        together = depth(first.stock, basket) + depth(second.stock, basket)
        return (-together, max(rides), sum(rides))

    def why_better(
        self, winner: Candidate, loser: Candidate, basket: Basket, words: Wording = ENGLISH
    ) -> str:
        w, lo = depth(winner.stock, basket), depth(loser.stock, basket)
        if w > lo:
            return words.more_stock.format(winner=winner.hub_name, mine=w, theirs=lo)
        if winner.travel_minutes < loser.travel_minutes:
            return _nearer(words.stock_nearer, winner, loser)
        return _tie(winner, words)


class CheapestToServe:
    """Lowest estimated cost per shipment, then the shortest ride."""

    name = "cheapest"
    label = "the cheapest to serve"

    def key(self, candidate: Candidate, basket: Basket) -> Key:
        return (float(candidate.cost_won), candidate.travel_minutes)

    def pair_key(self, first: Candidate, second: Candidate, basket: Basket) -> Key:
        rides = (first.travel_minutes, second.travel_minutes)
        return (float(first.cost_won + second.cost_won), max(rides), sum(rides))

    def why_better(
        self, winner: Candidate, loser: Candidate, basket: Basket, words: Wording = ENGLISH
    ) -> str:
        if winner.cost_won < loser.cost_won:
            return words.cheaper.format(winner=winner.hub_name, mine=winner.cost_won, theirs=loser.cost_won)
        if winner.travel_minutes < loser.travel_minutes:
            return _nearer(words.cost_nearer, winner, loser)
        return _tie(winner, words)


STRATEGIES: dict[str, type[AllocationStrategy]] = {
    NearestHub.name: NearestHub,
    MostStock.name: MostStock,
    CheapestToServe.name: CheapestToServe,
}


def strategy_named(name: str) -> AllocationStrategy:
    """ "nearest" | "most_stock" | "cheapest"; ValueError for anything else."""
    try:
        return STRATEGIES[name]()
    except KeyError:
        choices = ", ".join(sorted(STRATEGIES))
        raise ValueError(f"unknown allocation strategy {name!r}; choose one of {choices}") from None
