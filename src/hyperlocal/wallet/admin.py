"""Back office for the wallet. The ledger (accounts, balances, transfers) and every record of
money that moved (wallets, receivables, purchases, grants, refunds, holds, settlements) are
read-only here: money moves only through the services. Programmes are the exception: their
rules are edited through services.programmes.update_rules, a new one is opened (with its
ledger accounts) through open_programme, and a settlement can be run from the list.

Programme admins see the programmes of their own regions only, and what belongs to them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.catalog.models import BusinessCategory
from hyperlocal.errors import DomainError
from hyperlocal.wallet.models import AccountShard, LedgerAccount, Transfer
from hyperlocal.wallet.programmes import (
    MerchantAccount,
    Programme,
    ProgrammeAdmin,
    Settlement,
    SettlementPayout,
    VoucherGrant,
    VoucherHold,
    VoucherPurchase,
    VoucherRefund,
    Wallet,
)
from hyperlocal.wallet.services import check_can_manage, managed_by, open_programme, update_rules
from hyperlocal.wallet.services.settlement import carried_over, run_settlement

ACCOUNT_FIELDS = ["float_account", "budget_account", "cash_account", "fees_account", "cap_source_account"]
# What update_rules may change; the rest of a programme is fixed once it is opened.
RULE_FIELDS = [
    "name_en",
    "benefit_bp",
    "purchase_unit_won",
    "monthly_cashback_cap_won",
    "validity_months",
    "refund_threshold_bp",
    "excluded_categories",
    "bought_revenue_cap",
    "settlement_fee_bp",
    "settlement_every_days",
]
OPENING_FIELDS = ["code", "name_ko", "region", "benefit", "monthly_purchase_cap_won"]


def is_platform_admin(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or user.groups.filter(name=str(Role.PLATFORM_ADMIN)).exists()


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ProgrammeScopedAdmin(ReadOnlyAdmin):
    """Read-only rows that belong to a programme (through `programme_path`): a programme
    admin sees those of the programmes they manage."""

    programme_path = "programme"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows: QuerySet[Any] = super().get_queryset(request)
        if is_platform_admin(request.user):
            return rows
        managed = managed_by(request.user).values("pk")  # type: ignore[arg-type]
        return rows.filter(**{f"{self.programme_path}__in": managed})


# --- the ledger ---------------------------------------------------------------------------------


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "owner_ref", "shards", "debits_must_not_exceed_credits", "created_at"]
    list_filter = ["kind"]
    search_fields = ["code", "owner_ref"]


@admin.register(AccountShard)
class AccountShardAdmin(ReadOnlyAdmin):
    list_display = [
        "account",
        "shard_no",
        "debits_pending",
        "debits_posted",
        "credits_pending",
        "credits_posted",
    ]
    list_select_related = ["account"]
    search_fields = ["account__code"]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "debit_account",
        "credit_account",
        "amount",
        "kind",
        "state",
        "pending",
        "created_at",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["debit_account", "credit_account"]
    search_fields = ["id", "debit_account__code", "credit_account__code"]


# --- programmes ---------------------------------------------------------------------------------


class ProgrammeForm(forms.ModelForm):  # type: ignore[type-arg]
    excluded_categories = forms.MultipleChoiceField(
        label=_("excluded business categories"),
        choices=BusinessCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Programme
        fields = [*OPENING_FIELDS, *RULE_FIELDS]


def _copy_saved(obj: Programme, saved: Programme) -> None:
    """The admin carries on with its own object (log entry, redirect): give it the saved state."""
    for field in Programme._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(Programme)
class ProgrammeAdminPage(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProgrammeForm
    list_display = [
        "code",
        "name_ko",
        "region",
        "benefit",
        "benefit_bp",
        "monthly_purchase_cap_won",
        "settlement_fee_bp",
        "settlement_every_days",
        "is_active",
    ]
    list_filter = ["benefit", "is_active", "region"]
    search_fields = ["code", "name_ko", "name_en"]
    list_select_related = ["region"]
    actions = ["run_settlement_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Programme]:
        return managed_by(request.user).order_by("code")  # type: ignore[arg-type]

    def get_fields(self, request: HttpRequest, obj: Programme | None = None) -> list[Any]:
        if obj is None:
            return [*OPENING_FIELDS, *RULE_FIELDS]
        return [*OPENING_FIELDS, "is_active", "created_at", *RULE_FIELDS, *ACCOUNT_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Programme | None = None) -> list[str]:
        if obj is None:
            return []
        return [*OPENING_FIELDS, "is_active", "created_at", *ACCOUNT_FIELDS]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Programme | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or managed_by(request.user).filter(pk=obj.pk).exists())  # type: ignore[arg-type]

    def has_delete_permission(self, request: HttpRequest, obj: Programme | None = None) -> bool:
        return False  # its accounts and records are history

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """A service refusal at save time becomes a message on the form page (the admin's
        transaction around the save has rolled back), not a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            messages.error(request, f"{_('Nothing was saved')}: {exc.message}")
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Programme, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        data = form.cleaned_data
        if change:
            current = Programme.objects.get(pk=obj.pk)
            rules = {name: data[name] for name in form.changed_data if name in RULE_FIELDS}
            saved = update_rules(request.user, current, rules)  # type: ignore[arg-type]
        else:
            saved = open_programme(
                now=timezone.now(),
                **{name: data[name] for name in OPENING_FIELDS},
                **{name: data[name] for name in RULE_FIELDS},
            )
        _copy_saved(obj, saved)

    @admin.action(description=_("Run settlement now"), permissions=["change"])
    def run_settlement_now(self, request: HttpRequest, queryset: QuerySet[Programme]) -> None:
        user: User = request.user  # type: ignore[assignment]
        now = timezone.now()
        for programme in queryset.order_by("code"):
            run_id = f"{programme.code}/admin/{timezone.localtime(now):%Y%m%dT%H%M%S}"
            try:
                with transaction.atomic():
                    check_can_manage(user, programme)
                    settlement = run_settlement(programme, run_id=run_id, now=now, created_by=user)
                    owed = carried_over(programme)
            except DomainError as exc:
                messages.error(request, f"{programme.code}: {_('nothing settled')}: {exc.message}")
                continue
            payouts = settlement.payouts.count()
            messages.success(
                request,
                _(
                    "%(code)s: settlement %(run)s paid %(n)s merchant(s) %(net)s won "
                    "(gross %(gross)s won, fees %(fee)s won)."
                )
                % {
                    "code": programme.code,
                    "run": settlement.run_id,
                    "n": payouts,
                    "net": f"{settlement.net_won:,}",
                    "gross": f"{settlement.gross_won:,}",
                    "fee": f"{settlement.fee_won:,}",
                },
            )
            for c in owed:
                messages.warning(
                    request,
                    _("%(code)s: %(merchant)s owes %(won)s won (refunds after settlement), carried over.")
                    % {"code": programme.code, "merchant": c.merchant_name, "won": f"{-c.balance_won:,}"},
                )


@admin.register(ProgrammeAdmin)
class ProgrammeAdminAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Who runs the programmes of which region: platform admins assign them."""

    list_display = ["user", "region"]
    list_filter = ["region"]
    search_fields = ["user__username", "region__name_ko", "region__code"]
    list_select_related = ["user", "region"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and is_platform_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return super().has_change_permission(request, obj) and is_platform_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return super().has_delete_permission(request, obj) and is_platform_admin(request.user)


# --- what moved, read-only ---------------------------------------------------------------------------


@admin.register(Wallet)
class WalletAdmin(ProgrammeScopedAdmin):
    list_display = ["__str__", "programme", "user", "kind", "account", "created_at"]
    list_filter = ["programme", "kind"]
    search_fields = ["user__username", "account__code"]
    list_select_related = ["programme", "user", "account"]


@admin.register(MerchantAccount)
class MerchantAccountAdmin(ProgrammeScopedAdmin):
    list_display = ["__str__", "programme", "merchant", "account"]
    list_filter = ["programme"]
    search_fields = ["merchant__name", "account__code"]
    list_select_related = ["programme", "merchant", "account"]


@admin.register(VoucherPurchase)
class VoucherPurchaseAdmin(ProgrammeScopedAdmin):
    programme_path = "wallet__programme"
    list_display = ["wallet", "face_won", "paid_won", "benefit_won", "provider", "purchased_at", "expires_at"]
    list_filter = ["wallet__programme", "provider"]
    search_fields = ["wallet__user__username", "request_id", "payment_reference"]
    list_select_related = ["wallet__programme"]
    date_hierarchy = "purchased_at"


@admin.register(VoucherGrant)
class VoucherGrantAdmin(ProgrammeScopedAdmin):
    programme_path = "wallet__programme"
    list_display = ["batch", "wallet", "face_won", "granted_by", "granted_at", "expires_at"]
    list_filter = ["wallet__programme"]
    search_fields = ["batch", "wallet__user__username"]
    list_select_related = ["wallet__programme", "granted_by"]


@admin.register(VoucherRefund)
class VoucherRefundAdmin(ProgrammeScopedAdmin):
    programme_path = "wallet__programme"
    list_display = ["wallet", "remainder_won", "cash_won", "clawback_won", "used_bp", "refunded_at"]
    list_filter = ["wallet__programme"]
    search_fields = ["wallet__user__username", "request_id"]
    list_select_related = ["wallet__programme"]


@admin.register(VoucherHold)
class VoucherHoldAdmin(ProgrammeScopedAdmin):
    programme_path = "wallet__programme"
    list_display = [
        "order",
        "merchant",
        "wallet",
        "held_won",
        "payable_won",
        "posted_won",
        "refunded_won",
        "status",
        "updated_at",
    ]
    list_filter = ["status", "wallet__programme"]
    search_fields = ["order__code", "merchant__name", "pending_transfer__id"]
    list_select_related = ["order", "merchant", "wallet__programme"]
    raw_id_fields = ["order", "shipment"]


class SettlementPayoutInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SettlementPayout
    fields = ["merchant", "gross_won", "fee_won", "net_won", "payments"]
    readonly_fields = ["merchant", "gross_won", "fee_won", "net_won", "payments"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Settlement)
class SettlementAdmin(ProgrammeScopedAdmin):
    list_display = ["run_id", "programme", "period_end", "gross_won", "fee_won", "net_won", "created_by"]
    list_filter = ["programme"]
    search_fields = ["run_id"]
    list_select_related = ["programme", "created_by"]
    date_hierarchy = "period_end"
    inlines = [SettlementPayoutInline]
