"""Plan parameters from forms, the CLI and the API: defaults, strings, and a message that
names the field for every bad value."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hyperlocal.errors import InvalidInput
from hyperlocal.planning.services import PARAMETER_HELP, PlanParameters, clean_parameters, region_for
from hyperlocal.regions.models import Region


def refused(**raw: Any) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        clean_parameters(raw)
    return exc.value


def test_defaults_take_the_only_district(mapo: Region) -> None:
    params = clean_parameters({})
    assert params == PlanParameters(region_code="11440")
    assert (params.model, params.p, params.promise_minutes, params.mode) == ("mclp", 3, 15.0, "bike")
    assert (params.demand_source, params.include_existing_hubs, params.curve_up_to) == ("blend", True, 0)
    assert params.capacitated is True  # a hub is given no more orders than its warehouse packs


def test_every_model_takes_capacities(mapo: Region) -> None:
    for model in ("mclp", "set_cover", "p_median"):
        assert clean_parameters({"model": model}).capacitated is True
        assert clean_parameters({"model": model, "capacitated": "true"}).capacitated is True
        assert clean_parameters({"model": model, "capacitated": "false"}).capacitated is False


def test_every_model_takes_a_rent_budget(mapo: Region) -> None:
    for model in ("mclp", "set_cover", "p_median"):
        assert clean_parameters({"model": model, "budget_won": "4000000"}).budget_won == 4_000_000


def test_region_for_is_the_one_lookup(mapo: Region) -> None:
    assert region_for("11440") == mapo
    assert region_for(" 1144066000 ").parent == mapo
    for code in ("99999", ""):
        with pytest.raises(InvalidInput) as exc:
            region_for(code)
        assert exc.value.field == "region_code"
        assert exc.value.status_code == 422


def test_strings_from_a_form_and_blank_values(mapo: Region) -> None:
    params = clean_parameters(
        {
            "region_code": "1144066000",
            "model": "P_MEDIAN",
            "p": "5",
            "promise_minutes": "12.5",
            "mode": "scooter",
            "capacitated": "true",
            "include_existing_hubs": "no",
            "budget_won": "",
            "time_limit_seconds": "10",
            "orders_days": "7",
            "orders_share": "0.25",
            "growth": "1144066000=1.2, 11440=1.1",
            "available_by": "2025-03-01",
            "zone_kind": "popup",
            "population_source": "  SGIS 2024 ",
            "curve_up_to": "4",
            "order_weight": "value",
        }
    )
    assert params.region_code == "1144066000"
    assert (params.model, params.p, params.promise_minutes, params.mode) == ("p_median", 5, 12.5, "scooter")
    assert (params.capacitated, params.include_existing_hubs, params.budget_won) == (True, False, None)
    assert (params.time_limit_seconds, params.orders_days, params.orders_share) == (10.0, 7, 0.25)
    assert params.growth == {"1144066000": 1.2, "11440": 1.1}
    assert (params.available_by, params.zone_kind, params.population_source) == (
        date(2025, 3, 1),
        "popup",
        "SGIS 2024",
    )
    assert (params.curve_up_to, params.order_weight) == (4, "value")


def test_json_reads_back_the_same(mapo: Region) -> None:
    params = clean_parameters(
        {"p": 4, "budget_won": 9_000_000, "growth": {"11440": 1.5}, "available_by": date(2025, 1, 2)}
    )
    data = params.to_json()
    assert data["available_by"] == "2025-01-02"
    assert data["growth"] == {"11440": 1.5}
    assert clean_parameters(data) == params
    assert clean_parameters(PlanParameters(region_code="11440").to_json()) == PlanParameters(
        region_code="11440"
    )


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"colour": "red"}, "colour", "unknown parameter"),
        ({"region_code": "99999"}, "region_code", "no region"),
        ({"model": "p_center"}, "model", "mclp, set_cover, p_median"),
        ({"p": 0}, "p", "[1, 500]"),
        ({"p": "3.5"}, "p", "whole number"),
        ({"p": True}, "p", "number"),
        ({"target": 0}, "target", "(0, 1]"),
        ({"target": "1.5"}, "target", "(0, 1]"),
        ({"promise_minutes": 0}, "promise_minutes", "(0, 120]"),
        ({"promise_minutes": "-5"}, "promise_minutes", "(0, 120]"),
        ({"promise_minutes": 121}, "promise_minutes", "(0, 120]"),
        ({"promise_minutes": "nan"}, "promise_minutes", "finite"),
        ({"mode": "rocket"}, "mode", "walk, bike, scooter, car"),
        ({"budget_won": -1}, "budget_won", "[0,"),
        ({"capacitated": "maybe"}, "capacitated", "true or false"),
        ({"time_limit_seconds": 0}, "time_limit_seconds", "(0, 3600]"),
        ({"demand_source": "survey"}, "demand_source", "population, orders, blend"),
        ({"order_weight": "weight"}, "order_weight", "count, value"),
        ({"orders_days": 0}, "orders_days", "[1, 365]"),
        ({"orders_share": 1.5}, "orders_share", "[0, 1]"),
        ({"orders_per_household_day": 0}, "orders_per_household_day", "(0, 10]"),
        ({"growth": "11440660=0"}, "growth", "above 0"),
        ({"growth": {"11440": 11}}, "growth", "at most 10"),
        ({"growth": "1.2"}, "growth", "code=factor"),
        ({"growth": "11440=1.1,11440=1.2"}, "growth", "twice"),
        ({"growth": "26110=1.2"}, "growth", "26110"),
        ({"growth": 1.2}, "growth", "map region codes"),
        ({"available_by": "01/03/2025"}, "available_by", "2025-03-01"),
        ({"zone_kind": "warehouse"}, "zone_kind", "community, popup, stay"),
        ({"curve_up_to": 51}, "curve_up_to", "[0, 50]"),
    ],
)
def test_every_bad_value_names_its_field(mapo: Region, raw: dict[str, Any], field: str, words: str) -> None:
    error = refused(**raw)
    assert error.field == field
    assert words in error.message


def test_no_district_loaded(db: None) -> None:
    error = refused()
    assert error.field == "region_code"
    assert "no district" in error.message


def test_set_cover_has_no_curve(mapo: Region) -> None:
    params = clean_parameters({"model": "set_cover", "curve_up_to": 5, "target": "0.9"})
    assert (params.curve_up_to, params.target, params.uses_p) == (0, 0.9, False)


def test_growth_may_name_the_district_or_its_dongs_only(mapo: Region) -> None:
    Region.objects.create(code="11110", name_ko="종로구", level=Region.Level.DISTRICT)
    assert clean_parameters({"region_code": "11440", "growth": "11440=1.3"}).growth == {"11440": 1.3}
    assert clean_parameters({}).region_code == "11110"  # the first district by code
    error = refused(region_code="11440", growth="11110=1.3")
    assert "11110" in error.message
    assert error.field == "growth"


def test_the_help_says_the_time_limit_covers_the_comparison() -> None:
    assert "whole plan" in PARAMETER_HELP["time_limit_seconds"]
    assert "half" in PARAMETER_HELP["time_limit_seconds"]
