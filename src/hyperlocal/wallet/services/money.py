"""Shares of amounts in integer won (discounts, bonuses, cashback, fees), rounded half up.

The one helper every percentage goes through, so that the ledger balances exactly."""

from __future__ import annotations

from hyperlocal.wallet.programmes import BASIS_POINTS


def share_of(amount_won: int, bp: int) -> int:
    """`bp` basis points of `amount_won`, rounded half up to the won (integers only)."""
    if amount_won < 0 or bp < 0:
        raise ValueError("share_of takes a non-negative amount and rate")
    return (amount_won * bp * 2 + BASIS_POINTS) // (2 * BASIS_POINTS)


def ratio_of(amount_won: int, numerator: int, denominator: int) -> int:
    """amount x numerator / denominator, rounded half up (integers only)."""
    if denominator <= 0 or amount_won < 0 or numerator < 0:
        raise ValueError("ratio_of takes non-negative amounts and a positive denominator")
    return (amount_won * numerator * 2 + denominator) // (2 * denominator)
