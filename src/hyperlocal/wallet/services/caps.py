"""Monthly caps per person (purchases, cashback) as ledger accounts.

A person's allowance for a month is an account that may never go below zero, funded with the
cap from the programme's cap source when first used that month. A purchase takes its amount
from it with a pending transfer (posted once the card payment went through, voided or expired
otherwise), so concurrent purchases cannot exceed the cap: the database refuses the debit
that would. A cap changed mid-month applies from the next month.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.wallet.models import AccountKind, LedgerAccount
from hyperlocal.wallet.programmes import Programme
from hyperlocal.wallet.services.accounts import open_account
from hyperlocal.wallet.services.ledger import transfer

PURCHASE = "purchase"
CASHBACK = "cashback"


def month_of(now: datetime) -> str:
    return f"{timezone.localtime(now):%Y-%m}"


def cap_code(programme: Programme, user_id: int, what: str, now: datetime) -> str:
    return f"cap/{programme.code}/{user_id}/{what}/{month_of(now)}"


def cap_account(programme: Programme, user: User, what: str, *, now: datetime) -> LedgerAccount:
    """This month's allowance account of `user` for `what`, opened and funded on first use."""
    code = cap_code(programme, user.pk, what, now)
    found = LedgerAccount.objects.filter(code=code).first()
    if found is not None:
        return found  # opened and funded in one transaction, so found means funded
    cap = programme.monthly_purchase_cap_won if what == PURCHASE else programme.monthly_cashback_cap_won
    with transaction.atomic():
        account = open_account(
            code,
            AccountKind.MONTHLY_CAP,
            owner_ref=f"user:{user.pk}",
            debits_must_not_exceed_credits=True,
            now=now,
        )
        if cap > 0:
            transfer(f"{code}/fund", programme.cap_source_account, account, cap, kind="cap_fund", now=now)
    return account
