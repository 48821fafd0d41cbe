"""Back office for the ledger: read-only. Accounts, balances and transfers change only
through the services (transfers are immutable history)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hyperlocal.wallet.models import AccountShard, LedgerAccount, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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
