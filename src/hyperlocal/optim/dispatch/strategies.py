"""Strategies by name, as settings and command lines spell them."""

from __future__ import annotations

from .greedy import GreedyDispatch
from .model import DispatchStrategy
from .optimised import OptimisedDispatch

__all__ = ["STRATEGIES", "strategy_named"]

STRATEGIES: dict[str, type[GreedyDispatch] | type[OptimisedDispatch]] = {
    GreedyDispatch.name: GreedyDispatch,
    OptimisedDispatch.name: OptimisedDispatch,
}


def strategy_named(name: str) -> DispatchStrategy:
    """A fresh strategy with its defaults; ``ValueError`` naming the choices otherwise."""
    if not isinstance(name, str) or name not in STRATEGIES:
        raise ValueError(f"unknown dispatch strategy {name!r}; expected one of {sorted(STRATEGIES)}")
    return STRATEGIES[name]()
