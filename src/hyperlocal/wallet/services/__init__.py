"""Wallet services: the double-entry ledger and the local-currency programmes on top of it.

Edges (commands, API, pages, other domains) call these and nothing below them. Every service
runs inside the caller's transaction (its own writes in a savepoint) and takes `now`.

- ledger: open_account, transfer (posted or pending), post_pending, void_pending,
  expire_pending, balance, check_ledger
- programmes: open_programme, update_rules, managed_by, check_can_manage, merchant_is_eligible
- residents: wallet_for, balances, statement, buy_vouchers, refund_remainder
- programme admins: grant_vouchers, expire_vouchers
- orders: voucher_options, hold_for_order, lower_payable, post_shipment, void_order, refund_order
"""

from hyperlocal.wallet.services.accounts import AccountRef, Balance, balance, get_account, open_account
from hyperlocal.wallet.services.check import Problem, check_ledger
from hyperlocal.wallet.services.clean import MAX_AMOUNT
from hyperlocal.wallet.services.expiry import expire_vouchers
from hyperlocal.wallet.services.grants import grant_vouchers
from hyperlocal.wallet.services.ledger import expire_pending, post_pending, transfer, void_pending
from hyperlocal.wallet.services.programmes import (
    check_can_manage,
    get_programme,
    managed_by,
    merchant_is_eligible,
    open_programme,
    update_rules,
)
from hyperlocal.wallet.services.purchases import buy_vouchers
from hyperlocal.wallet.services.refunds import refund_remainder
from hyperlocal.wallet.services.shards import shard_for
from hyperlocal.wallet.services.spending import (
    TenderPart,
    VoucherOptions,
    hold_for_order,
    lower_payable,
    post_shipment,
    refund_order,
    void_order,
    voucher_options,
)
from hyperlocal.wallet.services.wallets import balances, merchant_account_for, statement, wallet_for

__all__ = [
    "MAX_AMOUNT",
    "AccountRef",
    "Balance",
    "Problem",
    "TenderPart",
    "VoucherOptions",
    "balance",
    "balances",
    "buy_vouchers",
    "check_can_manage",
    "check_ledger",
    "expire_pending",
    "expire_vouchers",
    "get_account",
    "get_programme",
    "grant_vouchers",
    "hold_for_order",
    "lower_payable",
    "managed_by",
    "merchant_account_for",
    "merchant_is_eligible",
    "open_account",
    "open_programme",
    "post_pending",
    "post_shipment",
    "refund_order",
    "refund_remainder",
    "shard_for",
    "statement",
    "transfer",
    "update_rules",
    "void_order",
    "void_pending",
    "voucher_options",
    "wallet_for",
]
