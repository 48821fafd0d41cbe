"""The allocation's words in Korean (and English unchanged by default): pure, no database."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta, timezone
from string import Formatter

import pytest

from hyperlocal.orders.allocation import (
    ENGLISH,
    KOREAN,
    Candidate,
    CheapestToServe,
    MostStock,
    NearestHub,
    Plan,
    Wording,
    allocate,
    wording_for,
)
from hyperlocal.orders.allocation.strategies import AllocationStrategy

SEOUL = timezone(timedelta(hours=9))
NOW = datetime(2025, 5, 3, 10, 0, tzinfo=SEOUL)
TANGERINE, RICE, TEA = 1, 2, 3
NAMES = {TANGERINE: "제주 감귤 1kg", RICE: "이천 쌀 4kg", TEA: "보성 녹차"}
BASKET = {TANGERINE: 2, RICE: 1, TEA: 1}
EVERYTHING = {TANGERINE: 5, RICE: 5, TEA: 5}


def hub(
    hub_id: int,
    stock: dict[int, int],
    *,
    name: str | None = None,
    travel: float = 7,
    eta: int | None = 19,
    cost: int = 0,
    incoming: tuple[tuple[datetime, int, int], ...] = (),
) -> Candidate:
    return Candidate(hub_id, name or f"Hub {hub_id}", travel, eta, 30, stock, incoming, cost)


def plan(
    candidates: list[Candidate],
    *,
    language: str = "ko",
    instant: bool = True,
    basket: dict[int, int] = BASKET,
    strategy: AllocationStrategy | None = None,
) -> Plan:
    return allocate(
        basket,
        candidates,
        strategy or NearestHub(),
        now=NOW,
        instant=instant,
        names=NAMES,
        language=language,
    )


def reasons(p: Plan) -> dict[int, str]:
    return {v.hub_id: v.reason for v in p.verdicts}


# -- choosing the words ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["ko", "ko-kr", "ko-KR", "ko_KR", "KO", " ko "])
def test_korean_language_codes_get_korean(language: str) -> None:
    assert wording_for(language) is KOREAN


@pytest.mark.parametrize("language", [None, "", "en", "en-us", "ja", "kok", "korean"])
def test_anything_else_gets_english(language: str | None) -> None:
    assert wording_for(language) is ENGLISH


# -- Korean sentences --------------------------------------------------------------------------


def test_one_hub_with_everything_in_korean() -> None:
    p = plan(
        [
            hub(1, EVERYTHING, name="성산1 허브", travel=7, eta=17),
            hub(2, EVERYTHING, travel=5, eta=48),
            hub(3, {TANGERINE: 1, RICE: 5}, travel=3, eta=12),
            hub(4, EVERYTHING, travel=9, eta=25),
            hub(5, EVERYTHING, travel=2, eta=None),
        ]
    )
    assert p.summary == (
        "성산1 허브에 장바구니 상품이 모두 있어 약 17분 안에 도착합니다: "
        "장바구니 상품이 모두 있고 약속 시간 안에 도착할 수 있는 허브 2곳 중 가장 가깝습니다."
    )
    assert reasons(p) == {
        1: "상품 3개 모두 있음, 7분 거리, 예상 도착 17분",
        2: "상품 3개 모두 있지만 예상 도착이 약속 시간 30분을 넘는 48분",
        3: "제주 감귤 1kg 1개, 보성 녹차 1개 부족",
        4: "상품 3개 모두 있지만 더 가까운 성산1 허브 우선 (7분 대 9분 거리)",
        5: "상품 3개 모두 있지만 지금은 즉시 배송 불가 (영업 종료 또는 즉시 배송 중지)",
    }
    only = plan([hub(1, EVERYTHING, name="성산1 허브", eta=17)])
    assert only.summary == (
        "성산1 허브에 장바구니 상품이 모두 있어 약 17분 안에 도착합니다: "
        "장바구니 상품이 모두 있고 약속 시간 안에 도착할 수 있는 유일한 허브입니다."
    )


def test_ties_and_sooner_eta_in_korean() -> None:
    assert (
        reasons(plan([hub(7, EVERYTHING), hub(3, EVERYTHING)]))[7]
        == "상품 3개 모두 있지만 순위가 같아 Hub 3 우선"
    )
    sooner = plan([hub(1, EVERYTHING, eta=15), hub(2, EVERYTHING, eta=25)])
    assert (
        reasons(sooner)[2] == "상품 3개 모두 있지만 거리는 같고 더 빨리 도착하는 Hub 1 우선 (예상 도착 15분)"
    )


def test_split_and_slot_in_korean() -> None:
    slow_full = hub(1, EVERYTHING, travel=4, eta=45)
    left = hub(2, {TANGERINE: 5, TEA: 5}, travel=6, eta=18)
    right = hub(3, {RICE: 5, TANGERINE: 5}, travel=8, eta=20)
    p = plan([slow_full, left, right])
    assert p.summary == (
        "장바구니 상품이 모두 있는 허브는 지금 즉시 배송할 수 없어 Hub 2, Hub 3 두 곳에서 "
        "나눠 배송하며, 각각 약속 시간 안에 도착합니다."
    )
    assert reasons(p) == {
        1: "상품 3개 모두 있지만 예상 도착이 약속 시간 30분을 넘는 45분",
        2: "제주 감귤 1kg 2개, 보성 녹차 1개 배송, 6분 거리, 예상 도착 18분",
        3: "이천 쌀 4kg 1개 배송, 8분 거리, 예상 도착 20분",
    }
    slot = plan([slow_full, left, right], instant=False)
    assert (
        slot.summary == "Hub 1에 장바구니 상품이 모두 있습니다: 장바구니 상품이 모두 있는 유일한 허브입니다."
    )
    assert reasons(slot)[1] == "상품 3개 모두 있음, 4분 거리"

    fallback = plan([hub(1, EVERYTHING, eta=50), hub(2, {TANGERINE: 5}, eta=10)])
    assert fallback.summary == (
        "지금 장바구니 전체를 즉시 배송할 수 있는 허브가 없어, 상품이 모두 있는 Hub 1에서 "
        "원하시는 시간대에 배송합니다 (장바구니 상품이 모두 있는 유일한 허브입니다)."
    )
    assert reasons(fallback)[1] == (
        "상품 3개 모두 있음, 7분 거리; 예약 배송만 가능 (예상 도착이 약속 시간 30분을 넘는 50분)"
    )

    no_single = plan([hub(1, {TEA: 1}, travel=2), hub(2, {TANGERINE: 2, RICE: 1}, travel=15)], instant=False)
    assert (
        no_single.summary == "장바구니 상품을 모두 가진 허브가 없어 Hub 1, Hub 2 두 곳에서 나눠 배송합니다."
    )
    slow_pair = plan([hub(1, {TEA: 1}, eta=None), hub(2, {TANGERINE: 2, RICE: 1}, eta=40)])
    assert slow_pair.summary == (
        "지금 즉시 배송할 수 있는 허브나 허브 조합이 없고 장바구니 상품을 모두 가진 허브도 없어 "
        "Hub 2, Hub 1 두 곳에서 원하시는 시간대에 나눠 배송합니다."
    )
    assert reasons(slow_pair)[1] == (
        "보성 녹차 1개 배송, 7분 거리; "
        "예약 배송만 가능 (지금은 즉시 배송 불가: 영업 종료 또는 즉시 배송 중지)"
    )


def test_pairing_below_and_no_partner_in_korean() -> None:
    p = plan(
        [
            hub(1, {TEA: 1}, travel=2),
            hub(2, {TANGERINE: 2, RICE: 1}, travel=15),
            hub(3, {TANGERINE: 2, RICE: 1}, travel=10),
            hub(5, {RICE: 1}, travel=1),
        ]
    )
    assert reasons(p)[2] == "보성 녹차 1개 부족; 다른 허브와 묶어도 Hub 1 + Hub 3 조합보다 순위가 낮음"
    assert reasons(p)[5] == "제주 감귤 1kg 2개, 보성 녹차 1개 부족; 부족분을 채울 다른 허브 없음"


def test_other_strategies_in_korean() -> None:
    shallow = hub(1, {TANGERINE: 2, RICE: 1, TEA: 1}, travel=3, cost=2000)
    deep = hub(2, {TANGERINE: 40, RICE: 9, TEA: 9}, travel=8, cost=1500)
    cheap = hub(3, EVERYTHING, travel=12, cost=900)
    most = plan([shallow, deep, cheap], strategy=MostStock())
    assert most.summary.endswith("허브 3곳 중 재고가 가장 많습니다.")
    assert reasons(most)[1] == "상품 3개 모두 있지만 이 상품들의 재고가 더 많은 Hub 2 우선 (58개 대 4개)"
    cheapest = plan([shallow, deep, cheap], strategy=CheapestToServe())
    assert cheapest.summary.endswith("허브 3곳 중 배송 비용이 가장 낮습니다.")
    assert reasons(cheapest)[2] == "상품 3개 모두 있지만 배송 비용이 더 낮은 Hub 3 우선 (900원 대 1,500원)"

    twins = [hub(1, EVERYTHING, travel=9, cost=900), hub(2, EVERYTHING, travel=5, cost=900)]
    assert reasons(plan(twins, strategy=CheapestToServe()))[1] == (
        "상품 3개 모두 있지만 배송 비용은 같고 더 가까운 Hub 2 우선 (5분 대 9분 거리)"
    )
    assert reasons(plan(twins, strategy=MostStock()))[1] == (
        "상품 3개 모두 있지만 재고는 같고 더 가까운 Hub 2 우선 (5분 대 9분 거리)"
    )


def test_not_servable_in_korean() -> None:
    soon, later = NOW + timedelta(hours=2), NOW + timedelta(hours=5)
    a = hub(1, {TANGERINE: 1, RICE: 1}, incoming=((later, TANGERINE, 10), (soon, RICE, 3)))
    b = hub(2, {TEA: 1}, travel=9, incoming=((soon, TANGERINE, 1),))
    p = plan([a, b])
    assert p.summary == (
        "제주 감귤 1kg 1개 부족으로 지금은 허브 한 곳으로도, 두 곳을 합쳐도 장바구니를 배송할 수 없습니다. "
        "입고 예정 재고로 5월 3일 12:00부터 배송할 수 있습니다."
    )
    assert reasons(p) == {
        1: "제주 감귤 1kg 1개, 보성 녹차 1개 부족",
        2: "제주 감귤 1kg 2개, 이천 쌀 4kg 1개 부족",
    }
    never = plan([hub(1, {})], basket={TANGERINE: 1, RICE: 1, TEA: 1, 4: 2, 5: 1})
    assert never.summary == (
        "제주 감귤 1kg 1개, 이천 쌀 4kg 1개, 보성 녹차 1개 외 2개 상품 부족으로 지금은 허브 한 곳으로도, "
        "두 곳을 합쳐도 장바구니를 배송할 수 없습니다. 부족분을 채울 입고 예정이 없습니다."
    )
    assert reasons(plan([hub(1, {})], basket={9: 1}))[1] == "상품 #9 1개 부족"


def test_one_product_basket_in_both_languages() -> None:
    one = [hub(1, {TEA: 1}), hub(2, {TEA: 1}, travel=9)]
    assert reasons(plan(one, basket={TEA: 1})) == {
        1: "상품 있음, 7분 거리, 예상 도착 19분",
        2: "상품 있지만 더 가까운 Hub 1 우선 (7분 대 9분 거리)",
    }
    assert reasons(plan(one, basket={TEA: 1}, language="en")) == {
        1: "has the product, 7 min ride, ETA 19 min",
        2: "has the product too, but Hub 1 is nearer (7 vs 9 min ride)",
    }


# -- English unchanged -------------------------------------------------------------------------


def test_english_is_the_default_and_unchanged() -> None:
    hubs = [hub(1, EVERYTHING, travel=7, eta=19), hub(4, EVERYTHING, travel=9, eta=25)]
    default = allocate(BASKET, hubs, NearestHub(), now=NOW, instant=True, names=NAMES)
    assert default == plan(hubs, language="en") == plan(hubs, language="en-us")
    assert default.summary == (
        "Hub 1 has the whole basket and delivers in about 19 min: the nearest of the 2 hubs "
        "with the whole basket and an ETA within its promise."
    )
    assert reasons(default)[4] == "has all 3 products too, but Hub 1 is nearer (7 vs 9 min ride)"
    korean = plan(hubs)
    assert korean.shipments == default.shipments  # only the words differ
    assert [v.outcome for v in korean.verdicts] == [v.outcome for v in default.verdicts]
    assert korean.summary != default.summary


def test_english_list_of_more_than_three() -> None:
    never = plan([hub(1, {})], basket={TANGERINE: 1, RICE: 1, TEA: 1, 4: 2, 5: 1}, language="en")
    assert never.summary == (
        "No hub or pair of hubs can serve the basket now, short of 1 × 제주 감귤 1kg, 1 × 이천 쌀 4kg, "
        "1 × 보성 녹차 and 2 more; no expected delivery makes up for it."
    )


# -- the templates -----------------------------------------------------------------------------

PARAMS: dict[str, object] = {
    "product_id": 9,
    "quantity": 2,
    "name": "제주 감귤 1kg",
    "count": 3,
    "minutes": "7",
    "eta": 19,
    "promise": 30,
    "when": NOW,
    "what": "with it",
    "best": "the nearest",
    "hub": "성산1 허브",
    "ranked": "ranked",
    "why": "why",
    "first": "Hub 1",
    "second": "Hub 2",
    "lacks": "lacks",
    "products": "products",
    "units": "units",
    "ride": "ride",
    "timing": "timing",
    "winner": "Hub 1",
    "mine": 1500,
    "theirs": 900,
}


def placeholders(template: str) -> set[str]:
    """The names a template formats: "{when.month}월 {when:%H:%M}" -> {"when"}."""
    parsed = Formatter().parse(template)
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in parsed if name is not None}


def literal(template: str) -> str:
    return "".join(text for text, _, _, _ in Formatter().parse(template))


TEMPLATES = [f.name for f in fields(Wording) if f.type in ("str", str) and f.name != "language"]


@pytest.mark.parametrize("message", TEMPLATES)
def test_every_korean_template_has_the_english_placeholders(message: str) -> None:
    english, korean = getattr(ENGLISH, message), getattr(KOREAN, message)
    assert placeholders(korean) == placeholders(english)
    assert placeholders(english) <= set(PARAMS)
    for template in (english, korean):  # formats with the same parameters, none left over
        text = template.format(**PARAMS)
        assert "{" not in text
        assert "}" not in text
    if any(ch.isalpha() for ch in literal(english)):
        assert not any("a" <= ch.lower() <= "z" for ch in literal(korean))  # translated


def test_both_wordings_name_every_strategy() -> None:
    assert set(KOREAN.labels) == set(ENGLISH.labels) == {"nearest", "most_stock", "cheapest"}
    assert [ENGLISH.label(n, "?") for n in ("nearest", "most_stock", "cheapest")] == [
        NearestHub.label,
        MostStock.label,
        CheapestToServe.label,
    ]
    assert KOREAN.label("fastest", "the fastest") == "the fastest"  # an unknown strategy's own label
    assert len(TEMPLATES) > 40
