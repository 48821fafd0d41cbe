"""Wallet services: the double-entry ledger (accounts, transfers, two-phase holds, the check).

Edges (commands, API, other domains) call these and nothing below them. Every service runs
inside the caller's transaction (its own writes in a savepoint).
"""

from hyperlocal.wallet.services.accounts import AccountRef, Balance, balance, get_account, open_account
from hyperlocal.wallet.services.check import Problem, check_ledger
from hyperlocal.wallet.services.clean import MAX_AMOUNT
from hyperlocal.wallet.services.ledger import expire_pending, post_pending, transfer, void_pending
from hyperlocal.wallet.services.shards import shard_for

__all__ = [
    "MAX_AMOUNT",
    "AccountRef",
    "Balance",
    "Problem",
    "balance",
    "check_ledger",
    "expire_pending",
    "get_account",
    "open_account",
    "post_pending",
    "shard_for",
    "transfer",
    "void_pending",
]
