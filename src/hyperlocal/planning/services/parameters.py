"""What a site plan is asked to do, checked once: ``clean_parameters`` turns a form, a CLI
or an API body (Python values or strings) into ``PlanParameters`` or refuses it with an
``InvalidInput`` that names the field. ``region_for`` is the one lookup of a plan's region
by code; ``PARAMETER_HELP`` says what the less obvious parameters mean (forms, CLI, API).

Capacities are on by default (``capacitated``): a plan without them may send a hub more
orders a day than its warehouse packs. Every model takes capacities and a rent budget."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from hyperlocal.errors import InvalidInput
from hyperlocal.geo import Mode
from hyperlocal.regions.models import Region

__all__ = [
    "DEMAND_SOURCES",
    "MODELS",
    "ORDER_WEIGHTS",
    "PARAMETER_HELP",
    "ZONE_KINDS",
    "PlanParameters",
    "clean_parameters",
    "region_for",
]

MODELS = ("mclp", "set_cover", "p_median")
DEMAND_SOURCES = ("population", "orders", "blend")
ORDER_WEIGHTS = ("count", "value")
ZONE_KINDS = ("community", "popup", "stay")

MAX_PROMISE_MINUTES = 120.0
MAX_TIME_LIMIT_SECONDS = 3600.0
MAX_GROWTH = 10.0
MAX_ORDERS_DAYS = 365
MAX_P = 500
MAX_CURVE = 50
MAX_ORDERS_PER_HOUSEHOLD_DAY = 10.0

PARAMETER_HELP = {
    "time_limit_seconds": (
        "the time budget of the whole plan in seconds: the main solve gets half of it when the "
        "p = 1..N comparison is asked for (all of it otherwise) and the comparison's points share "
        "the rest; a solve cut short keeps its best plan and reports its gap"
    ),
    "capacitated": (
        "cap each site at the orders a day its warehouse packs (on by default); off lets a site "
        "take all the demand nearest to it"
    ),
    "demand_source": (
        "population: households x orders_per_household_day; orders: the orders actually placed "
        "(only where a hub already delivers); blend: households x orders_per_household_day, "
        "shaped by how much each area orders where hubs deliver (by orders_share)"
    ),
    "orders_share": (
        "blend: how far each area's rate follows its orders: 0 = the same rate everywhere, "
        "1 = an area ordering 1.6 x the region's average per household gets 1.6 x the rate"
    ),
}

TRUE_WORDS = {"true", "yes", "on", "1", "y", "t"}
FALSE_WORDS = {"false", "no", "off", "0", "n", "f"}


@dataclass(frozen=True)
class PlanParameters:
    region_code: str
    model: str = "mclp"
    p: int = 3
    target: float = 0.95
    promise_minutes: float = 15.0
    mode: str = "bike"
    budget_won: int | None = None
    capacitated: bool = True
    time_limit_seconds: float = 30.0
    demand_source: str = "blend"
    population_source: str | None = None
    order_weight: str = "count"
    orders_days: int = 28
    orders_share: float = 0.5
    orders_per_household_day: float = 0.05
    growth: dict[str, float] = field(default_factory=dict)
    available_by: date | None = None
    zone_kind: str | None = None
    include_existing_hubs: bool = True
    curve_up_to: int = 0

    def to_json(self) -> dict[str, object]:
        """JSON-safe (dates as ISO strings); ``clean_parameters`` reads it back."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, dict):
                value = dict(sorted(value.items()))
            out[f.name] = value
        return out

    @property
    def uses_p(self) -> bool:
        """mclp and p-median open p new sites; set covering chooses how many."""
        return self.model in ("mclp", "p_median")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(value: object, key: str) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"{key} must be a number, not {value!r}", field=key)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            raise InvalidInput(f"{key} must be a number, not {value!r}", field=key) from None
    else:
        raise InvalidInput(f"{key} must be a number, not {value!r}", field=key)
    if not math.isfinite(number):
        raise InvalidInput(f"{key} must be a finite number, not {value!r}", field=key)
    return number


def _whole(value: object, key: str) -> int:
    number = _number(value, key)
    if number != int(number):
        raise InvalidInput(f"{key} must be a whole number, not {value!r}", field=key)
    return int(number)


def _flag(value: object, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise InvalidInput(f"{key} must be true or false, not {value!r}", field=key)


def _choice(value: object, key: str, choices: tuple[str, ...]) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else value
    if text not in choices:
        raise InvalidInput(f"{key} must be one of {', '.join(choices)}, not {value!r}", field=key)
    return str(text)


def _in_range(number: float, key: str, low: float, high: float, *, low_open: bool = False) -> float:
    too_low = number <= low if low_open else number < low
    if too_low or number > high:
        left = "(" if low_open else "["
        raise InvalidInput(f"{key} must be in {left}{low:g}, {high:g}], not {number:g}", field=key)
    return number


def _date(value: object, key: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(f"{key} must be a date like 2025-03-01, not {value!r}", field=key)


def _growth(value: object) -> dict[str, float]:
    key = "growth"
    pairs: list[tuple[str, object]]
    if isinstance(value, Mapping):
        pairs = [(str(code).strip(), factor) for code, factor in value.items()]
    elif isinstance(value, str):
        pairs = []
        for part in value.replace(";", ",").replace("\n", ",").split(","):
            if not part.strip():
                continue
            code, sep, factor = part.partition("=")
            if not sep:
                code, sep, factor = part.partition(":")
            if not sep or not code.strip():
                raise InvalidInput(
                    f"growth is a list of code=factor pairs like 11440660=1.2, not {part.strip()!r}",
                    field=key,
                )
            pairs.append((code.strip(), factor))
    else:
        raise InvalidInput("growth must map region codes to factors, e.g. 11440660=1.2", field=key)
    out: dict[str, float] = {}
    for code, raw in pairs:
        number = _number(raw, key)
        if not 0 < number <= MAX_GROWTH:
            raise InvalidInput(
                f"the growth factor of {code} must be above 0 and at most {MAX_GROWTH:g}, not {number:g}",
                field=key,
            )
        if code in out:
            raise InvalidInput(f"growth names region {code} twice", field=key)
        out[code] = number
    return out


def region_for(code: str) -> Region:
    """The region with this code; InvalidInput(field="region_code") when there is none."""
    code = str(code).strip()
    region = Region.objects.filter(code=code).first() if code else None
    if region is None:
        raise InvalidInput(f"there is no region with code {code!r}", field="region_code")
    return region


def _region(value: object) -> Region:
    if _blank(value):
        region = Region.objects.filter(level=Region.Level.DISTRICT).order_by("code").first()
        if region is None:
            raise InvalidInput("no district has been loaded: import a region first", field="region_code")
        return region
    region = region_for(str(value))
    if region.level not in (Region.Level.DISTRICT, Region.Level.DONG):
        raise InvalidInput(
            f"plans are made for a district or a dong, and {region} is neither", field="region_code"
        )
    return region


Cleaner = Callable[[object, str], object]

_CLEANERS: dict[str, Cleaner] = {
    "model": lambda v, k: _choice(v, k, MODELS),
    "p": lambda v, k: int(_in_range(_whole(v, k), k, 1, MAX_P)),
    "target": lambda v, k: _in_range(_number(v, k), k, 0, 1, low_open=True),
    "promise_minutes": lambda v, k: _in_range(_number(v, k), k, 0, MAX_PROMISE_MINUTES, low_open=True),
    "mode": lambda v, k: _choice(v, k, tuple(m.value for m in Mode)),
    "budget_won": lambda v, k: int(_in_range(_whole(v, k), k, 0, 10**15)),
    "capacitated": _flag,
    "time_limit_seconds": lambda v, k: _in_range(_number(v, k), k, 0, MAX_TIME_LIMIT_SECONDS, low_open=True),
    "demand_source": lambda v, k: _choice(v, k, DEMAND_SOURCES),
    "population_source": lambda v, k: str(v).strip(),
    "order_weight": lambda v, k: _choice(v, k, ORDER_WEIGHTS),
    "orders_days": lambda v, k: int(_in_range(_whole(v, k), k, 1, MAX_ORDERS_DAYS)),
    "orders_share": lambda v, k: _in_range(_number(v, k), k, 0, 1),
    "orders_per_household_day": lambda v, k: _in_range(
        _number(v, k), k, 0, MAX_ORDERS_PER_HOUSEHOLD_DAY, low_open=True
    ),
    "growth": lambda v, k: _growth(v),
    "available_by": _date,
    "zone_kind": lambda v, k: _choice(v, k, ZONE_KINDS),
    "include_existing_hubs": _flag,
    "curve_up_to": lambda v, k: int(_in_range(_whole(v, k), k, 0, MAX_CURVE)),
}


def _check_growth_codes(region: Region, growth: Mapping[str, float]) -> None:
    if not growth:
        return
    district = region.district
    allowed = {district.code, region.code}
    allowed |= set(Region.objects.filter(parent=district).values_list("code", flat=True))
    unknown = sorted(set(growth) - allowed)
    if unknown:
        raise InvalidInput(
            f"growth names {', '.join(unknown)}, which is not {district} or one of its dongs", field="growth"
        )


def clean_parameters(raw: Mapping[str, object]) -> PlanParameters:
    """The parameters, or InvalidInput(field=<key>) for an unknown key or a bad value.
    A blank value ("" or None) takes the default."""
    known = {f.name for f in fields(PlanParameters)}
    for key in raw:
        if key not in known:
            raise InvalidInput(f"unknown parameter {key!r}", field=str(key))
    region = _region(raw.get("region_code"))
    values: dict[str, Any] = {"region_code": region.code}
    for key, clean in _CLEANERS.items():
        value = raw.get(key)
        if _blank(value) or (key == "growth" and isinstance(value, Mapping) and not value):
            continue
        values[key] = clean(value, key)
    params = PlanParameters(**values)
    _check_growth_codes(region, params.growth)
    if params.curve_up_to and not params.uses_p:
        # Set covering chooses the number of sites itself: there is no p to vary.
        params = replace(params, curve_up_to=0)
    return params
