import pytest

from hyperlocal.optim.dispatch import STRATEGIES, GreedyDispatch, OptimisedDispatch, strategy_named


def test_strategies_are_found_by_their_names() -> None:
    assert isinstance(strategy_named("greedy"), GreedyDispatch)
    assert isinstance(strategy_named("optimised"), OptimisedDispatch)
    assert set(STRATEGIES) == {"greedy", "optimised"}
    assert strategy_named("greedy") is not strategy_named("greedy")


@pytest.mark.parametrize("name", ["", "Greedy", "optimized", "pyvrp"])
def test_an_unknown_name_is_refused_with_the_choices(name: str) -> None:
    with pytest.raises(ValueError, match="expected one of \\['greedy', 'optimised'\\]"):
        strategy_named(name)
