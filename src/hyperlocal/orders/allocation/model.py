"""The allocation's plain data: what each hub offers, and the plan with its explanation.

Pure Python (no Django): the services build Candidates from the database and store
`Plan.as_dict()` with the order, so that customer and operator see why these hubs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    """A hub whose service area holds the delivery cell, as it stands right now."""

    hub_id: int
    hub_name: str
    travel_minutes: float  # courier ride hub -> delivery cell
    eta_minutes: int | None  # instant ETA now (queue + packing + ride); None = no instant now
    promise_minutes: int  # the hub's promise
    stock: Mapping[int, int]  # product_id -> available units
    incoming: Sequence[tuple[datetime, int, int]] = ()  # (expected_at, product_id, quantity)
    cost_won: int = 0  # estimated cost to serve one shipment from here

    @property
    def meets_promise(self) -> bool:
        """Whether it can deliver instantly now within its own promise."""
        return self.eta_minutes is not None and self.eta_minutes <= self.promise_minutes


@dataclass(frozen=True)
class ShipmentPlan:
    """What one hub ships: product_id -> units. eta_minutes is the instant ETA when this hub
    can deliver instantly within its promise now, else None (a slot delivery)."""

    hub_id: int
    hub_name: str
    lines: Mapping[int, int]
    eta_minutes: int | None
    travel_minutes: float

    def as_dict(self) -> dict[str, object]:
        return {
            "hub_id": self.hub_id,
            "hub_name": self.hub_name,
            "lines": [{"product_id": p, "quantity": q} for p, q in sorted(self.lines.items())],
            "eta_minutes": self.eta_minutes,
            "travel_minutes": round(self.travel_minutes, 1),
        }


@dataclass(frozen=True)
class Verdict:
    """Why one hub was or was not used."""

    hub_id: int
    hub_name: str
    outcome: str  # "chosen" | "rejected"
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "hub_id": self.hub_id,
            "hub_name": self.hub_name,
            "outcome": self.outcome,
            "reason": self.reason,
        }


CHOSEN = "chosen"
REJECTED = "rejected"


@dataclass(frozen=True)
class Plan:
    """The hubs that serve a basket (at most two shipments), or why it cannot be served now."""

    shipments: tuple[ShipmentPlan, ...]  # () when the basket cannot be served now
    verdicts: tuple[Verdict, ...]  # every hub considered, with why
    summary: str  # one sentence: why this plan
    strategy: str
    missing: Mapping[int, int]  # product_id -> units nobody can serve now
    earliest_at: datetime | None  # if not servable now: when it can be (inbound), else None

    @property
    def can_serve(self) -> bool:
        return bool(self.shipments)

    @property
    def is_split(self) -> bool:
        return len(self.shipments) > 1

    @property
    def hub_ids(self) -> tuple[int, ...]:
        return tuple(s.hub_id for s in self.shipments)

    def as_dict(self) -> dict[str, object]:
        """JSON-safe: plain types, datetimes as ISO 8601 strings."""
        return {
            "strategy": self.strategy,
            "can_serve": self.can_serve,
            "is_split": self.is_split,
            "summary": self.summary,
            "shipments": [s.as_dict() for s in self.shipments],
            "verdicts": [v.as_dict() for v in self.verdicts],
            "missing": [{"product_id": p, "quantity": q} for p, q in sorted(self.missing.items())],
            "earliest_at": self.earliest_at.isoformat() if self.earliest_at else None,
        }
