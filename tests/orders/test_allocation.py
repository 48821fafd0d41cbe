"""The pure allocation: no database (runs with `-p no:django` too)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.orders.allocation import (
    Candidate,
    CheapestToServe,
    MostStock,
    NearestHub,
    Plan,
    allocate,
    strategy_named,
)

SEOUL = timezone(timedelta(hours=9))
NOW = datetime(2025, 5, 3, 10, 0, tzinfo=SEOUL)
TANGERINE, RICE, TEA = 1, 2, 3
NAMES = {TANGERINE: "제주 감귤 1kg", RICE: "이천 쌀 4kg", TEA: "보성 녹차"}
BASKET = {TANGERINE: 2, RICE: 1, TEA: 1}
NEAREST = NearestHub()


def hub(
    hub_id: int,
    stock: dict[int, int],
    *,
    travel: float = 7,
    eta: int | None = 19,
    promise: int = 30,
    cost: int = 0,
    incoming: tuple[tuple[datetime, int, int], ...] = (),
) -> Candidate:
    return Candidate(hub_id, f"Hub {hub_id}", travel, eta, promise, stock, incoming, cost)


EVERYTHING = {TANGERINE: 5, RICE: 5, TEA: 5}


def plan(candidates: list[Candidate], *, instant: bool = True, basket: dict[int, int] = BASKET) -> Plan:
    return allocate(basket, candidates, NEAREST, now=NOW, instant=instant, names=NAMES)


def reasons(p: Plan) -> dict[int, tuple[str, str]]:
    return {v.hub_id: (v.outcome, v.reason) for v in p.verdicts}


def test_one_hub_with_everything_within_its_promise_wins_and_every_hub_is_explained() -> None:
    p = plan(
        [
            hub(1, EVERYTHING, travel=7, eta=19),
            hub(2, EVERYTHING, travel=5, eta=48),
            hub(3, {TANGERINE: 1, RICE: 5}, travel=3, eta=12),
            hub(4, EVERYTHING, travel=9, eta=25),
        ]
    )
    assert p.can_serve
    assert not p.is_split
    assert [(s.hub_id, dict(s.lines), s.eta_minutes) for s in p.shipments] == [(1, BASKET, 19)]
    assert reasons(p) == {
        1: ("chosen", "has all 3 products, 7 min ride, ETA 19 min"),
        2: ("rejected", "has all 3 products but ETA 48 min exceeds its 30 min promise"),
        3: ("rejected", "lacks 1 × 제주 감귤 1kg and 1 × 보성 녹차"),
        4: ("rejected", "has all 3 products too, but Hub 1 is nearer (7 vs 9 min ride)"),
    }
    assert p.summary == (
        "Hub 1 has the whole basket and delivers in about 19 min: the nearest of the 2 hubs "
        "with the whole basket and an ETA within its promise."
    )
    assert p.missing == {}
    assert p.earliest_at is None
    assert p.strategy == "nearest"


def test_ties_are_broken_by_hub_id_whatever_the_input_order() -> None:
    twins = [hub(7, EVERYTHING), hub(3, EVERYTHING), hub(5, EVERYTHING)]
    for order in (twins, twins[::-1]):
        p = plan(order)
        assert p.shipments[0].hub_id == 3
        assert [v.hub_id for v in p.verdicts] == [3, 5, 7]
        assert reasons(p)[5] == ("rejected", "has all 3 products too, but Hub 3 ranks equal and wins the tie")


def test_hub_without_instant_now_is_explained() -> None:
    p = plan([hub(1, EVERYTHING, eta=None), hub(2, EVERYTHING, travel=9)])
    assert p.shipments[0].hub_id == 2
    assert reasons(p)[1] == (
        "rejected",
        "has all 3 products but offers no instant delivery now (closed, or instant delivery off)",
    )


def test_split_goes_to_two_quick_hubs_when_the_hub_with_everything_is_too_slow() -> None:
    slow_full = hub(1, EVERYTHING, travel=4, eta=45)
    left = hub(2, {TANGERINE: 5, TEA: 5}, travel=6, eta=18)
    right = hub(3, {RICE: 5, TANGERINE: 5}, travel=8, eta=20)
    p = plan([slow_full, left, right])
    assert p.is_split
    assert [(s.hub_id, dict(s.lines)) for s in p.shipments] == [
        (2, {TANGERINE: 2, TEA: 1}),  # both have tangerines: the better-ranked (nearer) hub takes them
        (3, {RICE: 1}),
    ]
    assert [s.eta_minutes for s in p.shipments] == [18, 20]
    assert p.summary == (
        "No hub with the whole basket can deliver it instantly now, so it ships in two parts, "
        "from Hub 2 and Hub 3, each within its promise."
    )
    assert reasons(p)[1] == ("rejected", "has all 3 products but ETA 45 min exceeds its 30 min promise")
    assert reasons(p)[2] == ("chosen", "ships 2 × 제주 감귤 1kg and 1 × 보성 녹차, 6 min ride, ETA 18 min")

    # For a slot delivery the instant ETA does not matter: one parcel from the hub with everything.
    slot = plan([slow_full, left, right], instant=False)
    assert [(s.hub_id, dict(s.lines), s.eta_minutes) for s in slot.shipments] == [(1, BASKET, None)]
    assert slot.summary == "Hub 1 has the whole basket: the only hub with the whole basket."


def test_instant_request_falls_back_to_a_slot_from_the_hub_that_has_everything() -> None:
    p = plan([hub(1, EVERYTHING, eta=50), hub(2, {TANGERINE: 5}, eta=10)])
    assert [(s.hub_id, s.eta_minutes) for s in p.shipments] == [(1, None)]
    assert "in a slot you choose" in p.summary
    assert reasons(p)[1] == (
        "chosen",
        "has all 3 products, 7 min ride; slot delivery only (ETA 50 min exceeds its 30 min promise)",
    )


def test_a_product_is_split_over_the_pair_only_when_neither_has_enough() -> None:
    a = hub(1, {TANGERINE: 3, TEA: 1}, travel=4)
    b = hub(2, {TANGERINE: 2, RICE: 1}, travel=6)
    p = plan([a, b], basket={TANGERINE: 4, RICE: 1, TEA: 1})
    assert [dict(s.lines) for s in p.shipments] == [{TANGERINE: 3, TEA: 1}, {TANGERINE: 1, RICE: 1}]


def test_nearest_pair_is_ranked_by_its_longer_ride() -> None:
    near_tea = hub(1, {TEA: 1}, travel=2)
    far_rest = hub(2, {TANGERINE: 2, RICE: 1}, travel=15)
    mid_rest = hub(3, {TANGERINE: 2, RICE: 1}, travel=10)
    mid_tea = hub(4, {TEA: 1}, travel=9)
    p = plan([near_tea, far_rest, mid_rest, mid_tea])
    assert sorted(s.hub_id for s in p.shipments) == [1, 3]
    assert "pairing it ranks below Hub 1 + Hub 3" in reasons(p)[2][1]


def test_most_stock_prefers_the_deepest_stock_and_cheapest_the_lowest_cost() -> None:
    shallow = hub(1, {TANGERINE: 2, RICE: 1, TEA: 1}, travel=3, cost=2000)
    deep = hub(2, {TANGERINE: 40, RICE: 9, TEA: 9}, travel=8, cost=1500)
    cheap = hub(3, EVERYTHING, travel=12, cost=900)
    by = {
        s.name: allocate(BASKET, [shallow, deep, cheap], s, now=NOW, instant=True, names=NAMES)
        for s in (NearestHub(), MostStock(), CheapestToServe())
    }
    assert {name: p.shipments[0].hub_id for name, p in by.items()} == {
        "nearest": 1,
        "most_stock": 2,
        "cheapest": 3,
    }
    assert (
        reasons(by["most_stock"])[1][1]
        == "has all 3 products too, but Hub 2 holds more of these products (58 vs 4 units)"
    )
    assert (
        reasons(by["cheapest"])[2][1]
        == "has all 3 products too, but Hub 3 costs less to serve (900 vs 1,500 won)"
    )
    assert by["cheapest"].strategy == "cheapest"


def test_not_servable_names_the_missing_units_and_when_inbound_stock_makes_it_servable() -> None:
    soon, later = NOW + timedelta(hours=2), NOW + timedelta(hours=5)
    a = hub(1, {TANGERINE: 1, RICE: 1}, incoming=((later, TANGERINE, 10), (soon, RICE, 3)))
    b = hub(2, {TEA: 1}, travel=9, incoming=((soon, TANGERINE, 1),))
    p = plan([a, b])
    assert not p.can_serve
    assert p.shipments == ()
    assert p.missing == {TANGERINE: 1}  # the pair has everything but one tangerine
    assert p.earliest_at == soon  # Hub 2's one tangerine arrives: the pair covers it
    assert p.summary == (
        "No hub or pair of hubs can serve the basket now, short of 1 × 제주 감귤 1kg; "
        "expected stock lets it be delivered from 2025-05-03 12:00."
    )
    assert reasons(p) == {
        1: ("rejected", "lacks 1 × 제주 감귤 1kg and 1 × 보성 녹차"),
        2: ("rejected", "lacks 2 × 제주 감귤 1kg and 1 × 이천 쌀 4kg"),
    }
    never = plan([hub(1, {TANGERINE: 1})])
    assert never.missing == {TANGERINE: 1, RICE: 1, TEA: 1}
    assert never.earliest_at is None
    assert never.summary.endswith("no expected delivery makes up for it.")


def test_overdue_inbound_counts_from_now_and_times_read_in_nows_zone() -> None:
    overdue = NOW - timedelta(hours=1)
    p = plan([hub(1, {TANGERINE: 2, RICE: 1}, incoming=((overdue.astimezone(UTC), TEA, 1),))])
    assert p.earliest_at == NOW
    assert "from 2025-05-03 10:00" in p.summary


def test_no_candidates_means_nothing_can_be_served() -> None:
    p = plan([])
    assert not p.can_serve
    assert p.missing == BASKET
    assert p.verdicts == ()


def test_as_dict_is_json_safe() -> None:
    soon = NOW + timedelta(hours=2)
    p = plan([hub(1, {TANGERINE: 2, RICE: 1}, incoming=((soon, TEA, 1),))])
    data = json.loads(json.dumps(p.as_dict()))
    assert data["can_serve"] is False
    assert data["earliest_at"] == "2025-05-03T12:00:00+09:00"
    assert data["missing"] == [{"product_id": TEA, "quantity": 1}]
    assert data["verdicts"][0]["outcome"] == "rejected"
    served = json.loads(json.dumps(plan([hub(1, EVERYTHING)]).as_dict()))
    assert served["shipments"][0]["lines"] == [
        {"product_id": TANGERINE, "quantity": 2},
        {"product_id": RICE, "quantity": 1},
        {"product_id": TEA, "quantity": 1},
    ]
    assert served["shipments"][0]["eta_minutes"] == 19


def test_strategies_by_name_and_bad_input() -> None:
    assert [strategy_named(n).name for n in ("nearest", "most_stock", "cheapest")] == [
        "nearest",
        "most_stock",
        "cheapest",
    ]
    with pytest.raises(ValueError, match="unknown allocation strategy 'fastest'"):
        strategy_named("fastest")
    with pytest.raises(ValueError, match="positive"):
        plan([hub(1, EVERYTHING)], basket={TANGERINE: 0})
    with pytest.raises(ValueError, match="empty"):
        plan([hub(1, EVERYTHING)], basket={})


# -- properties ------------------------------------------------------------------------------

PRODUCTS = st.integers(min_value=1, max_value=5)
baskets = st.dictionaries(PRODUCTS, st.integers(min_value=1, max_value=6), min_size=1, max_size=4)
stocks = st.dictionaries(PRODUCTS, st.integers(min_value=0, max_value=8), max_size=5)


@st.composite
def candidate_lists(draw: st.DrawFn) -> list[Candidate]:
    n = draw(st.integers(min_value=0, max_value=5))
    ids = draw(st.lists(st.integers(min_value=1, max_value=50), min_size=n, max_size=n, unique=True))
    return [
        hub(
            i,
            draw(stocks),
            travel=draw(st.floats(min_value=1, max_value=25, allow_nan=False)),
            eta=draw(st.one_of(st.none(), st.integers(min_value=5, max_value=60))),
            promise=draw(st.sampled_from([20, 30, 45])),
            cost=draw(st.integers(min_value=0, max_value=5000)),
        )
        for i in ids
    ]


@settings(max_examples=300, deadline=None)
@given(
    basket=baskets,
    candidates=candidate_lists(),
    instant=st.booleans(),
    name=st.sampled_from(["nearest", "most_stock", "cheapest"]),
)
def test_plan_properties(
    basket: dict[int, int], candidates: list[Candidate], instant: bool, name: str
) -> None:
    strategy = strategy_named(name)
    p = allocate(basket, candidates, strategy, now=NOW, instant=instant)
    by_id = {c.hub_id: c for c in candidates}

    assert len(p.shipments) <= 2
    assert len({s.hub_id for s in p.shipments}) == len(p.shipments)
    for s in p.shipments:  # never more than a hub has, never an empty line
        assert all(0 < q <= by_id[s.hub_id].stock.get(pid, 0) for pid, q in s.lines.items())
    shipped: Counter[int] = Counter()
    for s in p.shipments:
        shipped.update(s.lines)
    if p.can_serve:
        assert dict(shipped) == basket  # exactly the basket
        assert p.missing == {}
        assert p.earliest_at is None
    else:
        assert p.missing
        assert all(0 < q <= basket[pid] for pid, q in p.missing.items())
    assert sorted(v.hub_id for v in p.verdicts) == sorted(by_id)
    assert {v.hub_id for v in p.verdicts if v.outcome == "chosen"} == {s.hub_id for s in p.shipments}
    assert all(v.reason for v in p.verdicts)

    whole_and_quick = [
        c
        for c in candidates
        if all(c.stock.get(pid, 0) >= q for pid, q in basket.items()) and c.meets_promise
    ]
    if instant and whole_and_quick:
        assert len(p.shipments) == 1
        assert p.shipments[0].hub_id in {c.hub_id for c in whole_and_quick}
    json.dumps(p.as_dict())
    # deterministic whatever the order of the candidates
    assert allocate(basket, candidates[::-1], strategy, now=NOW, instant=instant) == p
