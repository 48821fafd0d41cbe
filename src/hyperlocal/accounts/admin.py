"""Back office for people: users with their roles, households (with the CSV import),
neighbourhood verifications (a record, read-only) and API tokens (revoke only; no hashes)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hyperlocal.accounts import services
from hyperlocal.accounts.imports import COLUMNS_HELP, import_households
from hyperlocal.accounts.models import ApiToken, Household, NeighbourhoodVerification, User
from hyperlocal.accounts.roles import role_names
from hyperlocal.errors import InvalidInput
from hyperlocal.web.admin_import import ImportFileAdminMixin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Hyperlocal"), {"fields": ("display_name", "preferred_language", "household")}),
    )
    list_display = ["username", "display_name", "email", "roles", "household", "is_staff", "is_active"]
    list_filter = ["groups", "preferred_language", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "display_name", "email", "first_name", "last_name"]
    raw_id_fields = ["household"]
    list_select_related = ["household"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        users: QuerySet[User] = super().get_queryset(request)
        return users.prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        return ", ".join(role_names(user))


class HouseholdForm(forms.ModelForm):  # type: ignore[type-arg]
    """Region and home cell follow from lat/lng (through the accounts services), never typed."""

    class Meta:
        model = Household
        fields = ["address", "lat", "lng", "size", "source", "external_id"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "lat" in data and "lng" in data:
            try:
                _, region, home_cell = services.home_location(data["lat"], data["lng"])
            except InvalidInput as exc:
                self.add_error(exc.field if exc.field in ("lat", "lng") else None, exc.message)
            else:
                self.instance.region, self.instance.home_cell = region, home_cell
        return data


class MemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = User
    fk_name = "household"
    fields = ["username", "display_name", "email"]
    readonly_fields = ["username", "display_name", "email"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("member")
    verbose_name_plural = _("members")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(ImportFileAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg,misc]
    form = HouseholdForm
    list_display = ["id", "address", "region", "home_cell", "size", "member_count", "source", "external_id"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter), "source"]
    search_fields = ["address", "external_id", "join_code", "home_cell"]
    list_select_related = ["region"]
    readonly_fields = ["region", "home_cell", "join_code", "created_at"]
    inlines = [MemberInline]
    import_handler = staticmethod(import_households)
    import_help = COLUMNS_HELP

    def get_queryset(self, request: HttpRequest) -> QuerySet[Household]:
        households: QuerySet[Household] = super().get_queryset(request)
        return households.annotate(n_members=Count("members"))

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, household: Household) -> int:
        return int(getattr(household, "n_members", 0))


class CurrentFilter(admin.SimpleListFilter):
    title = _("current")
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("current")), ("no", _("expired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(expires_at__gt=now)
        if self.value() == "no":
            return queryset.filter(expires_at__lte=now)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NeighbourhoodVerification)
class NeighbourhoodVerificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "household", "cell", "grid_steps", "verified_at", "expires_at", "is_current"]
    list_filter = [CurrentFilter, "verified_at", "grid_steps"]
    search_fields = ["user__username", "user__display_name", "cell"]
    list_select_related = ["user", "household"]
    date_hierarchy = "verified_at"

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, verification: NeighbourhoodVerification) -> bool:
        return verification.is_current()


class RevokedFilter(admin.SimpleListFilter):
    title = _("revoked")
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("revoked")), ("no", _("not revoked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    # Only the hash of a key is stored, and even that is never shown.
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [RevokedFilter, "expires_at", "created_at"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    fields = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("accounts.change_apitoken"))

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = services.revoke_tokens(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count}, messages.SUCCESS)
