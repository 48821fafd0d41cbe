"""The ledger: accounts, their kept balances (shards) and immutable transfers.

Double-entry in the way of TigerBeetle: every transfer debits one account and credits another
by the same positive amount, either at once (posted) or in two phases (a pending hold that is
later posted, in full or in part, voided, or expires at its timeout). Each phase is its own
transfer row; rows are never updated nor deleted, so the transfers are the full history.

An account's balance is kept in its shards (AccountShard rows); the balance is the sum of its
shards. Accounts with a limit have exactly one shard and the limit is a CHECK on it (the
account's flags are copied onto the shard row so that the CHECK can see them); hot system
accounts without a limit (the programme float) have several, so that concurrent transfers
lock different rows. `hyperlocal check_ledger` rebuilds every shard from the transfers.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

MAX_SHARDS = 64
CURRENCY = "KRW"


class AccountKind(models.TextChoices):
    RESIDENT_WALLET = "resident_wallet", _("resident wallet")
    MERCHANT_RECEIVABLE = "merchant_receivable", _("merchant receivable")
    PROGRAMME_FLOAT = "programme_float", _("programme float")
    DISCOUNT_EXPENSE = "discount_expense", _("discount or bonus expense")
    CASH_CLEARING = "cash_clearing", _("cash clearing")
    FEES = "fees", _("fees")
    # A person's monthly allowance (purchase or cashback cap): funded with the cap at the start
    # of the month, debited by each purchase, so the cap is the account's own limit.
    MONTHLY_CAP = "monthly_cap", _("monthly cap")
    CAP_SOURCE = "cap_source", _("cap source")


class LedgerAccount(models.Model):
    """An account of the ledger. Its attributes never change once opened."""

    code = models.CharField(_("code"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=AccountKind.choices)
    # Who or what the account belongs to ("user:12", "merchant:3", "programme:1"), for people
    # reading the ledger; the foreign keys are on Wallet, MerchantAccount and Programme.
    owner_ref = models.CharField(_("owner"), max_length=100, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=CURRENCY)
    debits_must_not_exceed_credits = models.BooleanField(default=False)
    credits_must_not_exceed_debits = models.BooleanField(default=False)
    shards = models.PositiveSmallIntegerField(_("shards"), default=1)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(currency=CURRENCY), name="ledger_account_currency_krw"),
            models.CheckConstraint(
                condition=Q(shards__gte=1, shards__lte=MAX_SHARDS), name="ledger_account_shards_in_range"
            ),
            models.CheckConstraint(
                condition=Q(shards=1)
                | Q(debits_must_not_exceed_credits=False, credits_must_not_exceed_debits=False),
                name="ledger_account_limit_means_one_shard",
            ),
            models.CheckConstraint(
                condition=~Q(debits_must_not_exceed_credits=True, credits_must_not_exceed_debits=True),
                name="ledger_account_one_limit_at_most",
            ),
            models.CheckConstraint(condition=~Q(code=""), name="ledger_account_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.code


class AccountShard(models.Model):
    """A share of an account's kept balance. Changed only by conditional UPDATEs in
    services/shards.py, which lock shard rows in (account, shard_no) order."""

    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="shard_rows")
    shard_no = models.PositiveSmallIntegerField()
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    # Copies of the account's flags, so that the limits are CHECK constraints on this row.
    debits_must_not_exceed_credits = models.BooleanField(default=False)
    credits_must_not_exceed_debits = models.BooleanField(default=False)

    class Meta:
        ordering = ["account", "shard_no"]
        constraints = [
            models.UniqueConstraint(fields=["account", "shard_no"], name="account_shard_once"),
            models.CheckConstraint(condition=Q(shard_no__lt=MAX_SHARDS), name="account_shard_no_in_range"),
            models.CheckConstraint(
                condition=Q(debits_pending__gte=0, debits_posted__gte=0, credits_pending__gte=0)
                & Q(credits_posted__gte=0),
                name="account_shard_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(credits_posted__gte=F("debits_pending") + F("debits_posted")),
                name="account_shard_debits_within_credits",
            ),
            models.CheckConstraint(
                condition=Q(credits_must_not_exceed_debits=False)
                | Q(debits_posted__gte=F("credits_pending") + F("credits_posted")),
                name="account_shard_credits_within_debits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.shard_no}"


class TransferState(models.TextChoices):
    POSTED = "posted", _("posted")  # a single-phase transfer
    PENDING = "pending", _("pending")  # a hold, finished later by one of the next three
    POSTING = "posting", _("post of a pending transfer")
    VOIDED = "voided", _("void of a pending transfer")
    EXPIRED = "expired", _("expiry of a pending transfer")


FINISHING = (TransferState.POSTING, TransferState.VOIDED, TransferState.EXPIRED)


class Transfer(models.Model):
    """One immutable movement. There is no update path: services only INSERT transfers.

    A pending transfer is finished by a second row (posting, voided or expired) whose
    `pending` points at it; a unique constraint lets at most one row finish a pending one.
    The finishing row repeats the pending one's accounts and shards; its amount is what was
    posted (posting) or released (voided, expired: the pending amount).
    """

    id = models.CharField(primary_key=True, max_length=120)  # client-chosen, the idempotency key
    debit_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    credit_account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    debit_shard = models.PositiveSmallIntegerField(default=0)
    credit_shard = models.PositiveSmallIntegerField(default=0)
    amount = models.BigIntegerField()
    kind = models.CharField(_("kind"), max_length=40)
    state = models.CharField(_("state"), max_length=10, choices=TransferState.choices)
    pending = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="finished_by"
    )
    timeout_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    request_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")), name="transfer_two_accounts"
            ),
            models.CheckConstraint(condition=Q(state__in=TransferState.values), name="transfer_state_known"),
            models.CheckConstraint(
                condition=Q(pending__isnull=True, state__in=[TransferState.POSTED, TransferState.PENDING])
                | Q(pending__isnull=False, state__in=FINISHING),
                name="transfer_finishing_names_pending",
            ),
            models.CheckConstraint(
                condition=Q(timeout_at__isnull=True) | Q(state=TransferState.PENDING),
                name="transfer_timeout_only_pending",
            ),
            models.UniqueConstraint(
                fields=["pending"], condition=Q(pending__isnull=False), name="transfer_pending_finished_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["timeout_at"],
                condition=Q(state=TransferState.PENDING),
                name="transfer_pending_timeout",
            ),
            models.Index(fields=["debit_account", "created_at"], name="transfer_debit_account"),
            models.Index(fields=["credit_account", "created_at"], name="transfer_credit_account"),
        ]

    def __str__(self) -> str:
        return f"{self.id}: {self.amount} {self.debit_account_id}->{self.credit_account_id} ({self.state})"


# Programmes, wallets and what moves through them live in programmes.py; importing them here
# is what makes Django see them as this app's models.
from hyperlocal.wallet.programmes import (  # noqa: E402
    BenefitKind,
    MerchantAccount,
    Programme,
    ProgrammeAdmin,
    Settlement,
    SettlementPayout,
    VoucherGrant,
    VoucherHold,
    VoucherKind,
    VoucherPurchase,
    VoucherRefund,
    Wallet,
)

__all__ = [
    "CURRENCY",
    "FINISHING",
    "MAX_SHARDS",
    "AccountKind",
    "AccountShard",
    "BenefitKind",
    "LedgerAccount",
    "MerchantAccount",
    "Programme",
    "ProgrammeAdmin",
    "Settlement",
    "SettlementPayout",
    "Transfer",
    "TransferState",
    "VoucherGrant",
    "VoucherHold",
    "VoucherKind",
    "VoucherPurchase",
    "VoucherRefund",
    "Wallet",
]
