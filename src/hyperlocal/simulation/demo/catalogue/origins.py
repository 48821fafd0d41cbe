# ruff: noqa: E501  (data tables read best one item a line)
"""Regional origins: places in Korea known for a product, with what they are known for."""

from __future__ import annotations

from typing import NamedTuple


class OriginSpec(NamedTuple):
    code: str
    name_ko: str
    name_en: str
    province: str
    known_for: str


ORIGINS: tuple[OriginSpec, ...] = (
    OriginSpec("jeju", "제주", "Jeju", "제주특별자치도 Jeju", "감귤·한라봉·흑돼지 — tangerines, hallabong, black pork"),
    OriginSpec("icheon", "이천", "Icheon", "경기도 Gyeonggi-do", "쌀·도자기 — rice, ceramics"),
    OriginSpec("boseong", "보성", "Boseong", "전라남도 Jeollanam-do", "녹차 — green tea"),
    OriginSpec("yeongdeok", "영덕", "Yeongdeok", "경상북도 Gyeongsangbuk-do", "대게 — snow crab"),
    OriginSpec(
        "andong", "안동", "Andong", "경상북도 Gyeongsangbuk-do",
        "간고등어·안동소주·찜닭 — salted mackerel, Andong soju, jjimdak",
    ),
    OriginSpec("sunchang", "순창", "Sunchang", "전북특별자치도 Jeonbuk", "고추장 — gochujang"),
    OriginSpec("cheongsong", "청송", "Cheongsong", "경상북도 Gyeongsangbuk-do", "사과 — apples"),
    OriginSpec("naju", "나주", "Naju", "전라남도 Jeollanam-do", "배·곰탕 — pears, gomtang"),
    OriginSpec("uiseong", "의성", "Uiseong", "경상북도 Gyeongsangbuk-do", "마늘 — garlic"),
    OriginSpec("hoengseong", "횡성", "Hoengseong", "강원특별자치도 Gangwon", "한우 — hanwoo beef"),
    OriginSpec("gwangyang", "광양", "Gwangyang", "전라남도 Jeollanam-do", "매실·불고기 — maesil plums, bulgogi"),
    OriginSpec("damyang", "담양", "Damyang", "전라남도 Jeollanam-do", "대나무·떡갈비 — bamboo, tteokgalbi"),
    OriginSpec(
        "gangneung", "강릉", "Gangneung", "강원특별자치도 Gangwon",
        "초당두부·커피 — Chodang tofu, coffee",
    ),
    OriginSpec("yeosu", "여수", "Yeosu", "전라남도 Jeollanam-do", "돌산 갓김치 — Dolsan mustard-leaf kimchi"),
    OriginSpec("geumsan", "금산", "Geumsan", "충청남도 Chungcheongnam-do", "인삼 — ginseng"),
    OriginSpec("yeonggwang", "영광", "Yeonggwang", "전라남도 Jeollanam-do", "굴비 — dried yellow croaker"),
    OriginSpec("yeongyang", "영양", "Yeongyang", "경상북도 Gyeongsangbuk-do", "고추 — red chilli peppers"),
)  # fmt: skip
