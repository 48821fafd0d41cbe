"""The words of an allocation plan, in English and Korean: pure Python, no Django.

A `Wording` holds one `str.format` template per message (the same placeholders in every
language) and the two things that do not fit a template: how a list is joined, and the
strategy labels. `wording_for(language)` picks one for a Django language code ("ko", "ko-kr",
"en", ...). Korean templates put no particle (이/가, 은/는, 와/과) right after a name, so
that any hub or product name reads right.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


def _english_list(items: Sequence[str], more: str | None) -> str:
    """["a", "b", "c"] -> "a, b and c"; "N more" is the last item."""
    items = [*items, more] if more else list(items)
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0] if items else ""


def _korean_list(items: Sequence[str], more: str | None) -> str:
    """["가", "나"] -> "가, 나"; "외 N개 상품" follows the list."""
    listed = ", ".join(items)
    return f"{listed} {more}" if more else listed


@dataclass(frozen=True)
class Wording:
    """Every sentence and phrase of a plan. Templates are `str.format` strings; each
    language's template of a message has the same placeholders."""

    language: str

    # -- products and lists
    unnamed_product: str  # {product_id}
    item: str  # {quantity} {name}
    more_items: str  # {count}: the items not listed
    nothing: str
    one_product: str  # the whole basket is one product
    all_products: str  # {count}
    join: Callable[[Sequence[str], str | None], str] = field(repr=False)

    # -- a hub's ride and timing
    ride: str  # {minutes}
    eta: str  # {eta}: ", ETA 19 min" after the ride
    slot_only_closed: str
    slot_only_late: str  # {eta} {promise}
    no_instant_closed: str
    no_instant_late: str  # {eta} {promise}
    moment: str  # {when}: a datetime

    # -- the ranking ("the nearest of the 3 hubs with the whole basket")
    with_basket: str
    with_basket_quick: str
    only_hub: str  # {what}
    best_of: str  # {best} {count} {what}
    labels: Mapping[str, str]  # strategy name -> {best}

    # -- the summary
    single_now: str  # {hub} {eta} {ranked}
    single_slot_fallback: str  # {hub} {ranked}
    single_slot: str  # {hub} {ranked}
    split_why_quick_full: str
    split_why_no_full: str
    split_why_nothing_quick: str
    split_within_promise: str  # {why} {first} {second}
    split_in_slot: str  # {why} {first} {second}
    split: str  # {why} {first} {second}
    unservable_until: str  # {lacks} {when}
    unservable: str  # {lacks}

    # -- a hub's verdict
    chosen_whole: str  # {products} {ride} {timing}
    chosen_part: str  # {units} {ride} {timing}
    rejected_late: str  # {products} {why}
    rejected_ranked: str  # {products} {why}
    lacks: str  # {units}
    and_late: str  # {why}
    pairing_below: str  # {first} {second}
    no_partner: str

    # -- why one hub ranks before another (the strategies)
    nearer: str  # {winner} {mine} {theirs}: ride minutes
    sooner: str  # {winner} {eta}
    more_stock: str  # {winner} {mine} {theirs}: units
    stock_nearer: str  # {winner} {mine} {theirs}: ride minutes
    cheaper: str  # {winner} {mine} {theirs}: won
    cost_nearer: str  # {winner} {mine} {theirs}: ride minutes
    tie: str  # {winner}

    def listing(self, items: Sequence[str], hidden: int = 0) -> str:
        """The items joined as this language lists them, then how many more were not listed."""
        return self.join(items, self.more_items.format(count=hidden) if hidden else None)

    def label(self, strategy_name: str, fallback: str) -> str:
        """How the summary names a strategy's winner ("the nearest", "가장 가깝습니다")."""
        return self.labels.get(strategy_name, fallback)

    def when(self, moment: datetime) -> str:
        return self.moment.format(when=moment)


ENGLISH = Wording(
    language="en",
    unnamed_product="product #{product_id}",
    item="{quantity} × {name}",
    more_items="{count} more",
    nothing="nothing",
    one_product="the product",
    all_products="all {count} products",
    join=_english_list,
    ride="{minutes} min ride",
    eta=", ETA {eta} min",
    slot_only_closed="; slot delivery only (no instant delivery now: closed, or instant delivery off)",
    slot_only_late="; slot delivery only (ETA {eta} min exceeds its {promise} min promise)",
    no_instant_closed="offers no instant delivery now (closed, or instant delivery off)",
    no_instant_late="ETA {eta} min exceeds its {promise} min promise",
    moment="{when:%Y-%m-%d %H:%M}",
    with_basket="with the whole basket",
    with_basket_quick="with the whole basket and an ETA within its promise",
    only_hub="the only hub {what}",
    best_of="{best} of the {count} hubs {what}",
    labels={"nearest": "the nearest", "most_stock": "the best stocked", "cheapest": "the cheapest to serve"},
    single_now="{hub} has the whole basket and delivers in about {eta} min: {ranked}.",
    single_slot_fallback=(
        "No hub can deliver the whole basket instantly now, so {hub}, which has all of it, "
        "delivers it in a slot you choose ({ranked})."
    ),
    single_slot="{hub} has the whole basket: {ranked}.",
    split_why_quick_full="No hub with the whole basket can deliver it instantly now",
    split_why_no_full="No single hub has the whole basket",
    split_why_nothing_quick=(
        "No hub or pair of hubs can deliver the basket instantly now and no single hub has all of it"
    ),
    split_within_promise=(
        "{why}, so it ships in two parts, from {first} and {second}, each within its promise."
    ),
    split_in_slot="{why}, so it ships in two parts, from {first} and {second}, in a slot you choose.",
    split="{why}, so it ships in two parts, from {first} and {second}.",
    unservable_until=(
        "No hub or pair of hubs can serve the basket now, short of {lacks}; "
        "expected stock lets it be delivered from {when}."
    ),
    unservable=(
        "No hub or pair of hubs can serve the basket now, short of {lacks}; "
        "no expected delivery makes up for it."
    ),
    chosen_whole="has {products}, {ride}{timing}",
    chosen_part="ships {units}, {ride}{timing}",
    rejected_late="has {products} but {why}",
    rejected_ranked="has {products} too, but {why}",
    lacks="lacks {units}",
    and_late="; {why}",
    pairing_below="; pairing it ranks below {first} + {second}",
    no_partner="; no second hub makes up for it",
    nearer="{winner} is nearer ({mine} vs {theirs} min ride)",
    sooner="{winner} is as near and delivers sooner (ETA {eta} min)",
    more_stock="{winner} holds more of these products ({mine} vs {theirs} units)",
    stock_nearer="{winner} holds as much and is nearer ({mine} vs {theirs} min ride)",
    cheaper="{winner} costs less to serve ({mine:,} vs {theirs:,} won)",
    cost_nearer="{winner} costs as much and is nearer ({mine} vs {theirs} min ride)",
    tie="{winner} ranks equal and wins the tie",
)

KOREAN = Wording(
    language="ko",
    unnamed_product="상품 #{product_id}",
    item="{name} {quantity}개",
    more_items="외 {count}개 상품",
    nothing="없음",
    one_product="상품",
    all_products="상품 {count}개 모두",
    join=_korean_list,
    ride="{minutes}분 거리",
    eta=", 예상 도착 {eta}분",
    slot_only_closed="; 예약 배송만 가능 (지금은 즉시 배송 불가: 영업 종료 또는 즉시 배송 중지)",
    slot_only_late="; 예약 배송만 가능 (예상 도착이 약속 시간 {promise}분을 넘는 {eta}분)",
    no_instant_closed="지금은 즉시 배송 불가 (영업 종료 또는 즉시 배송 중지)",
    no_instant_late="예상 도착이 약속 시간 {promise}분을 넘는 {eta}분",
    moment="{when.month}월 {when.day}일 {when:%H:%M}",
    with_basket="장바구니 상품이 모두 있는",
    with_basket_quick="장바구니 상품이 모두 있고 약속 시간 안에 도착할 수 있는",
    only_hub="{what} 유일한 허브입니다",
    best_of="{what} 허브 {count}곳 중 {best}",
    labels={
        "nearest": "가장 가깝습니다",
        "most_stock": "재고가 가장 많습니다",
        "cheapest": "배송 비용이 가장 낮습니다",
    },
    single_now="{hub}에 장바구니 상품이 모두 있어 약 {eta}분 안에 도착합니다: {ranked}.",
    single_slot_fallback=(
        "지금 장바구니 전체를 즉시 배송할 수 있는 허브가 없어, 상품이 모두 있는 {hub}에서 "
        "원하시는 시간대에 배송합니다 ({ranked})."
    ),
    single_slot="{hub}에 장바구니 상품이 모두 있습니다: {ranked}.",
    split_why_quick_full="장바구니 상품이 모두 있는 허브는 지금 즉시 배송할 수 없어",
    split_why_no_full="장바구니 상품을 모두 가진 허브가 없어",
    split_why_nothing_quick=(
        "지금 즉시 배송할 수 있는 허브나 허브 조합이 없고 장바구니 상품을 모두 가진 허브도 없어"
    ),
    split_within_promise="{why} {first}, {second} 두 곳에서 나눠 배송하며, 각각 약속 시간 안에 도착합니다.",
    split_in_slot="{why} {first}, {second} 두 곳에서 원하시는 시간대에 나눠 배송합니다.",
    split="{why} {first}, {second} 두 곳에서 나눠 배송합니다.",
    unservable_until=(
        "{lacks} 부족으로 지금은 허브 한 곳으로도, 두 곳을 합쳐도 장바구니를 배송할 수 없습니다. "
        "입고 예정 재고로 {when}부터 배송할 수 있습니다."
    ),
    unservable=(
        "{lacks} 부족으로 지금은 허브 한 곳으로도, 두 곳을 합쳐도 장바구니를 배송할 수 없습니다. "
        "부족분을 채울 입고 예정이 없습니다."
    ),
    chosen_whole="{products} 있음, {ride}{timing}",
    chosen_part="{units} 배송, {ride}{timing}",
    rejected_late="{products} 있지만 {why}",
    rejected_ranked="{products} 있지만 {why}",
    lacks="{units} 부족",
    and_late="; {why}",
    pairing_below="; 다른 허브와 묶어도 {first} + {second} 조합보다 순위가 낮음",
    no_partner="; 부족분을 채울 다른 허브 없음",
    nearer="더 가까운 {winner} 우선 ({mine}분 대 {theirs}분 거리)",
    sooner="거리는 같고 더 빨리 도착하는 {winner} 우선 (예상 도착 {eta}분)",
    more_stock="이 상품들의 재고가 더 많은 {winner} 우선 ({mine}개 대 {theirs}개)",
    stock_nearer="재고는 같고 더 가까운 {winner} 우선 ({mine}분 대 {theirs}분 거리)",
    cheaper="배송 비용이 더 낮은 {winner} 우선 ({mine:,}원 대 {theirs:,}원)",
    cost_nearer="배송 비용은 같고 더 가까운 {winner} 우선 ({mine}분 대 {theirs}분 거리)",
    tie="순위가 같아 {winner} 우선",
)

WORDINGS: dict[str, Wording] = {ENGLISH.language: ENGLISH, KOREAN.language: KOREAN}


def wording_for(language: str | None) -> Wording:
    """ "ko", "ko-kr", "ko_KR" -> KOREAN; anything else (None, "", "en", "en-us") -> ENGLISH."""
    base = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return WORDINGS.get(base, ENGLISH)


__all__ = ["ENGLISH", "KOREAN", "WORDINGS", "Wording", "wording_for"]
