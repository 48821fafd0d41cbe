"""Local-currency programmes and what the ledger's accounts belong to.

A programme is issued by a region: residents buy its vouchers at a discount (or with a bonus,
or get cashback when they pay) or receive them from a policy grant; they spend them at the
programme's eligible merchants, whose receivables are settled net of a fee. Money itself is
only in the ledger (models.py); the rows here say whose an account is and keep the business
record of each purchase, grant, refund, hold and payout next to the transfers that moved it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hyperlocal.catalog.models import BusinessCategory, Merchant, RevenueBand
from hyperlocal.regions.models import Region

BASIS_POINTS = 10_000  # 100 %


class BenefitKind(models.TextChoices):
    DISCOUNT = "discount", _("discount when buying")  # pay 90,000 won for 100,000 won of vouchers
    BONUS = "bonus", _("bonus when buying")  # pay 100,000 won, receive 110,000 won
    CASHBACK = "cashback", _("cashback when paying")  # pay in full, get a share back on each payment


class VoucherKind(models.TextChoices):
    BOUGHT = "bought", _("bought")
    POLICY = "policy", _("policy-issued")


class Programme(models.Model):
    """A regional voucher programme (지역사랑상품권) and its rules."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="voucher_programmes")
    benefit = models.CharField(_("benefit"), max_length=10, choices=BenefitKind.choices)
    benefit_bp = models.PositiveIntegerField(_("benefit rate (basis points)"), default=1000)
    purchase_unit_won = models.PositiveIntegerField(_("purchase unit (won)"), default=10_000)
    monthly_purchase_cap_won = models.BigIntegerField(_("monthly purchase cap per person (won)"))
    monthly_cashback_cap_won = models.BigIntegerField(_("monthly cashback cap per person (won)"), default=0)
    validity_months = models.PositiveSmallIntegerField(_("validity (months from issue)"), default=60)
    refund_threshold_bp = models.PositiveIntegerField(
        _("share of face value used before the rest can be refunded (basis points)"), default=6000
    )
    # Merchant eligibility: registered in the region, category not excluded, and for bought
    # vouchers a yearly revenue band not above this one (policy-issued vouchers skip that).
    excluded_categories = models.JSONField(_("excluded business categories"), default=list, blank=True)
    bought_revenue_cap = models.CharField(
        _("highest revenue band for bought vouchers"),
        max_length=16,
        choices=RevenueBand.choices,
        default=RevenueBand.UNDER_1B,
    )
    settlement_fee_bp = models.PositiveIntegerField(_("settlement fee (basis points)"), default=0)
    settlement_every_days = models.PositiveSmallIntegerField(_("settle every (days)"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    # The programme's own ledger accounts, opened with it (services/programmes.py).
    float_account = models.OneToOneField(
        "wallet.LedgerAccount", on_delete=models.PROTECT, related_name="+", help_text=_("expired vouchers")
    )
    budget_account = models.OneToOneField(
        "wallet.LedgerAccount",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("discounts, bonuses, grants"),
    )
    cash_account = models.OneToOneField("wallet.LedgerAccount", on_delete=models.PROTECT, related_name="+")
    fees_account = models.OneToOneField("wallet.LedgerAccount", on_delete=models.PROTECT, related_name="+")
    cap_source_account = models.OneToOneField(
        "wallet.LedgerAccount", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(benefit_bp__lte=5000), name="programme_benefit_at_most_half"),
            models.CheckConstraint(condition=Q(purchase_unit_won__gte=1), name="programme_unit_positive"),
            models.CheckConstraint(
                condition=Q(monthly_purchase_cap_won__gte=F("purchase_unit_won")),
                name="programme_cap_at_least_one_unit",
            ),
            models.CheckConstraint(
                condition=Q(monthly_cashback_cap_won__gte=0), name="programme_cashback_cap_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(validity_months__gte=1, validity_months__lte=120), name="programme_validity_range"
            ),
            models.CheckConstraint(
                condition=Q(refund_threshold_bp__lte=BASIS_POINTS), name="programme_refund_threshold_range"
            ),
            models.CheckConstraint(
                condition=Q(settlement_fee_bp__lte=1000), name="programme_fee_at_most_ten_percent"
            ),
            models.CheckConstraint(
                condition=Q(settlement_every_days__gte=1, settlement_every_days__lte=31),
                name="programme_settlement_days_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def display_name(self, language: str = "ko") -> str:
        return self.name_en if language == "en" and self.name_en else self.name_ko


class ProgrammeAdmin(models.Model):
    """A programme admin runs the programmes of these regions only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="programme_admin_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.region}"


class Wallet(models.Model):
    """A resident's vouchers of one programme and one kind: its balance is its ledger
    account's (which may never go below zero)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="wallets")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="voucher_wallets"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=VoucherKind.choices)
    account = models.OneToOneField("wallet.LedgerAccount", on_delete=models.PROTECT, related_name="wallet")
    created_at = models.DateTimeField()
    # Vouchers that expired up to this moment have been swept out (services/expiry.py); a spend
    # first sweeps any lot that expired since, so an expired voucher is never spent.
    expiry_swept_at = models.DateTimeField()

    class Meta:
        ordering = ["programme", "user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user", "kind"], name="wallet_once_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code}/{self.user_id}/{self.kind}"


class MerchantAccount(models.Model):
    """What a programme owes a merchant for voucher sales not settled yet (the receivable)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="merchant_accounts")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="voucher_accounts")
    account = models.OneToOneField("wallet.LedgerAccount", on_delete=models.PROTECT, related_name="merchant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "merchant"], name="merchant_account_once"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code}/{self.merchant_id}"


class VoucherPurchase(models.Model):
    """Vouchers bought: the card paid `paid_won`, the wallet received `face_won` (paid plus a
    bonus, or paid plus the discount). Valid until `expires_at`."""

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="purchases")
    request_id = models.CharField(max_length=100)  # the client's idempotency id
    request_hash = models.CharField(max_length=64)
    face_won = models.BigIntegerField()
    paid_won = models.BigIntegerField()
    benefit_won = models.BigIntegerField()
    cap_counted_won = models.BigIntegerField()  # what counts against the monthly cap
    provider = models.CharField(max_length=32)
    payment_reference = models.CharField(max_length=64)
    purchased_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-purchased_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "request_id"], name="voucher_purchase_request_once"),
            models.CheckConstraint(
                condition=Q(paid_won__gte=0, benefit_won__gte=0, face_won__gt=0)
                & Q(face_won=F("paid_won") + F("benefit_won")),
                name="voucher_purchase_face_is_paid_plus_benefit",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("purchased_at")), name="voucher_purchase_expires_later"
            ),
        ]
        indexes = [models.Index(fields=["wallet", "expires_at"], name="voucher_purchase_expiry")]

    def __str__(self) -> str:
        return f"{self.face_won} won ({self.wallet})"


class VoucherGrant(models.Model):
    """Policy-issued vouchers given to one resident (e.g. a local allowance)."""

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="grants")
    batch = models.CharField(_("grant batch"), max_length=60)
    face_won = models.BigIntegerField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "batch"], name="voucher_grant_once_per_batch"),
            models.CheckConstraint(condition=Q(face_won__gt=0), name="voucher_grant_positive"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="voucher_grant_expires_later"
            ),
        ]
        indexes = [models.Index(fields=["wallet", "expires_at"], name="voucher_grant_expiry")]

    def __str__(self) -> str:
        return f"{self.batch}: {self.face_won} won ({self.wallet})"


class VoucherRefund(models.Model):
    """The statutory refund of a bought wallet's remainder: `cash_won` goes back to the card,
    `clawback_won` (the unused share of the discount or bonus) back to the programme."""

    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="refunds")
    request_id = models.CharField(max_length=100)
    remainder_won = models.BigIntegerField()
    cash_won = models.BigIntegerField()
    clawback_won = models.BigIntegerField()
    used_bp = models.PositiveIntegerField()  # the share of face value used, when refunded
    refunded_at = models.DateTimeField()

    class Meta:
        ordering = ["-refunded_at"]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "request_id"], name="voucher_refund_request_once"),
            models.CheckConstraint(
                condition=Q(remainder_won__gt=0, cash_won__gte=0, clawback_won__gte=0)
                & Q(remainder_won=F("cash_won") + F("clawback_won")),
                name="voucher_refund_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.remainder_won} won ({self.wallet})"


class VoucherHold(models.Model):
    """The voucher part of one order for one merchant in one shipment, from one wallet: a
    pending transfer wallet -> merchant receivable placed at checkout, posted at delivery (at
    most `payable_won`, lowered by short picks), voided on cancellation, expired at timeout."""

    class Status(models.TextChoices):
        HELD = "held", _("held")
        POSTED = "posted", _("paid")
        VOIDED = "voided", _("released")
        EXPIRED = "expired", _("expired")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="voucher_holds")
    shipment = models.ForeignKey("orders.Shipment", on_delete=models.PROTECT, related_name="voucher_holds")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="+")
    wallet = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="holds")
    merchant_account = models.ForeignKey(MerchantAccount, on_delete=models.PROTECT, related_name="holds")
    pending_transfer = models.OneToOneField("wallet.Transfer", on_delete=models.PROTECT, related_name="+")
    held_won = models.BigIntegerField()
    payable_won = models.BigIntegerField()
    posted_won = models.BigIntegerField(default=0)
    refunded_won = models.BigIntegerField(default=0)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_won__gt=0, payable_won__gte=0, payable_won__lte=F("held_won")),
                name="voucher_hold_payable_within_held",
            ),
            models.CheckConstraint(
                condition=Q(posted_won__gte=0, posted_won__lte=F("payable_won")),
                name="voucher_hold_posted_within_payable",
            ),
            models.CheckConstraint(
                condition=Q(refunded_won__gte=0, refunded_won__lte=F("posted_won")),
                name="voucher_hold_refunded_within_posted",
            ),
            models.UniqueConstraint(
                fields=["shipment", "merchant", "wallet"], name="voucher_hold_once_per_merchant_wallet"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.merchant_id}: {self.held_won} won ({self.status})"


class Settlement(models.Model):
    """One settlement run of a programme: every merchant's receivable paid out net of fees."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="settlements")
    run_id = models.CharField(max_length=100, unique=True)
    period_end = models.DateTimeField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    gross_won = models.BigIntegerField(default=0)
    fee_won = models.BigIntegerField(default=0)
    net_won = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.run_id


class SettlementPayout(models.Model):
    """What one merchant is paid by a settlement run."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="payouts")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="voucher_payouts")
    merchant_account = models.ForeignKey(MerchantAccount, on_delete=models.PROTECT, related_name="payouts")
    gross_won = models.BigIntegerField()
    fee_won = models.BigIntegerField()
    net_won = models.BigIntegerField()
    payments = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["settlement", "merchant"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "merchant"], name="settlement_payout_once"),
            models.CheckConstraint(
                condition=Q(gross_won__gt=0, fee_won__gte=0, net_won__gte=0)
                & Q(gross_won=F("fee_won") + F("net_won")),
                name="settlement_payout_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.settlement_id}/{self.merchant_id}: {self.net_won} won"


__all__ = [
    "BASIS_POINTS",
    "BenefitKind",
    "BusinessCategory",
    "MerchantAccount",
    "Programme",
    "ProgrammeAdmin",
    "Settlement",
    "SettlementPayout",
    "VoucherGrant",
    "VoucherHold",
    "VoucherKind",
    "VoucherPurchase",
    "VoucherRefund",
    "Wallet",
]
