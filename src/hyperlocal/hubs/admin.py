"""Back office for hubs, their zones, opening hours and service areas.

Saving a hub goes through the hub services, so that its service area is recomputed when
(and only when) its point, promise, prep time or courier mode change. Operators who have
admin access see and change only the hubs they run.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from hyperlocal.errors import DomainError, InvalidInput
from hyperlocal.hubs.imports import HELP, import_hubs
from hyperlocal.hubs.models import Hub, OpeningHours, ServiceAreaCell, Zone
from hyperlocal.hubs.services import (
    add_zone,
    can_operate,
    check_zone_areas,
    clean_windows,
    create_hub,
    delete_zone,
    is_platform_admin,
    refresh_service_area,
    update_hub,
    update_zone,
)
from hyperlocal.hubs.services.fields import HUB_FIELDS, clean_hub_values
from hyperlocal.web.admin_import import ImportFileAdminMixin

# What the hub form hands to the services (region and cell follow from the point).
SERVICE_FIELDS = (*HUB_FIELDS, "operators", "vacant_space")


def _form_errors(form: forms.BaseForm, exc: InvalidInput) -> None:
    field = exc.field.split(".")[0] if exc.field else None
    form.add_error(field if field in form.fields else None, exc.message)


class HubAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Runs the hub services' field rules so that a bad value shows beside its field."""

    class Meta:
        model = Hub
        fields = [
            "name",
            "slug",
            "address",
            "lat",
            "lng",
            "floor_area_m2",
            "status",
            "promise_minutes",
            "prep_minutes",
            "courier_mode",
            "operators",
            "vacant_space",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = {n: cleaned[n] for n in HUB_FIELDS if n in cleaned}
        if not self.errors:
            try:
                clean_hub_values(values, current=self.instance if self.instance.pk else None)
            except InvalidInput as exc:
                _form_errors(self, exc)
        return cleaned


class ZoneFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        areas = [
            f.cleaned_data.get("area_m2") or 0
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            check_zone_areas(self.instance.floor_area_m2 or 0, areas)
        except InvalidInput as exc:
            raise ValidationError(exc.message) from None


class OpeningHoursFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        windows = [
            (f.cleaned_data["weekday"], f.cleaned_data["opens_at"], f.cleaned_data["closes_at"])
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            clean_windows(windows)
        except InvalidInput as exc:
            raise ValidationError(exc.message) from None


class ZoneInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Zone
    formset = ZoneFormSet
    extra = 0


class OpeningHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0


class DomainErrorsAsMessagesMixin:
    """A service refusal that only shows at save time (the travel-time model is down, a
    racing change) becomes a message on the form page, not a server error. The admin's own
    transaction around the form has rolled back by then."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            response: HttpResponse = super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )
        except DomainError as exc:
            messages.error(request, f"{_('Nothing was saved')}: {exc.message}")
            return HttpResponseRedirect(request.get_full_path())
        return response


def _copy_saved(obj: Any, saved: Any) -> None:
    """The admin carries on with its own object (inlines, log, redirect): give it the saved state."""
    for field in type(saved)._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(Hub)
class HubAdmin(DomainErrorsAsMessagesMixin, ImportFileAdminMixin, admin.ModelAdmin):  # type: ignore[type-arg,misc]
    form = HubAdminForm
    list_display = [
        "name",
        "slug",
        "status",
        "region",
        "promise_minutes",
        "prep_minutes",
        "courier_mode",
        "floor_area_m2",
        "service_cell_count",
        "service_area_computed_at",
    ]
    list_filter = ["status", "courier_mode", "region"]
    search_fields = ["name", "slug", "address"]
    list_select_related = ["region"]
    readonly_fields = ["region", "cell", "opened_at", "service_area_computed_at", "service_area_signature"]
    filter_horizontal = ["operators"]
    raw_id_fields = ["vacant_space"]
    inlines = [ZoneInline, OpeningHoursInline]
    actions = ["recompute_service_areas"]
    import_handler = staticmethod(import_hubs)
    import_help = HELP

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hub]:
        hubs: QuerySet[Hub] = super().get_queryset(request)
        hubs = hubs.annotate(n_cells=Count("service_cells"))
        if is_platform_admin(request.user):
            return hubs
        return hubs.filter(operators=request.user.pk)

    def get_readonly_fields(self, request: HttpRequest, obj: Hub | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        return fields if is_platform_admin(request.user) else [*fields, "operators"]

    @admin.display(description=_("service cells"), ordering="n_cells")
    def service_cell_count(self, hub: Hub) -> int:
        return int(getattr(hub, "n_cells", 0))

    def has_change_permission(self, request: HttpRequest, obj: Hub | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_operate(request.user, obj))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request.user)

    def save_model(self, request: HttpRequest, obj: Hub, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        fields = {n: form.cleaned_data[n] for n in SERVICE_FIELDS if n in form.cleaned_data}
        if change:
            current = Hub.objects.get(pk=obj.pk)
            changes = {n: fields[n] for n in form.changed_data if n in fields}
            saved = update_hub(request.user, current, **changes)
        else:
            saved = create_hub(request.user, **fields)
        _copy_saved(obj, saved)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not is_platform_admin(request.user):  # an import may touch any hub
            raise PermissionDenied
        return super().import_view(request)

    @admin.action(description=_("Recompute service areas"))
    def recompute_service_areas(self, request: HttpRequest, queryset: QuerySet[Hub]) -> None:
        done = 0
        for hub in queryset:
            if not can_operate(request.user, hub):
                continue
            try:
                with transaction.atomic():
                    refresh_service_area(hub)
            except DomainError as exc:
                messages.error(request, f"{hub.name}: {exc.message}")
            else:
                done += 1
        messages.success(request, f"{done} service area(s) recomputed")


class ZoneAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Zone
        fields = ["hub", "kind", "name", "area_m2", "capacity"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hub, area = cleaned.get("hub"), cleaned.get("area_m2")
        if hub is not None and isinstance(area, int):
            others = hub.zones.exclude(pk=self.instance.pk).values_list("area_m2", flat=True)
            try:
                check_zone_areas(hub.floor_area_m2, [*others, area])
            except InvalidInput as exc:
                self.add_error("area_m2", exc.message)
        return cleaned


@admin.register(Zone)
class ZoneAdmin(DomainErrorsAsMessagesMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    form = ZoneAdminForm
    list_display = ["name", "hub", "kind", "area_m2", "capacity"]
    list_filter = ["kind", "hub"]
    search_fields = ["name", "hub__name"]
    list_select_related = ["hub"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Zone]:
        zones: QuerySet[Zone] = super().get_queryset(request)
        return zones if is_platform_admin(request.user) else zones.filter(hub__operators=request.user.pk)

    def get_readonly_fields(self, request: HttpRequest, obj: Zone | None = None) -> list[str]:
        return ["hub"] if obj else []

    def save_model(self, request: HttpRequest, obj: Zone, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        fields = {
            n: form.cleaned_data[n] for n in ("kind", "name", "area_m2", "capacity") if n in form.cleaned_data
        }
        if change:
            current = Zone.objects.select_related("hub").get(pk=obj.pk)
            saved = update_zone(
                request.user, current, **{n: fields[n] for n in form.changed_data if n in fields}
            )
        else:
            saved = add_zone(request.user, form.cleaned_data["hub"], **fields)
        _copy_saved(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Zone) -> None:
        delete_zone(request.user, obj)


@admin.register(ServiceAreaCell)
class ServiceAreaCellAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Computed rows: read them here, change them by recomputing the hub's service area."""

    list_display = ["cell", "hub", "travel_minutes"]
    list_filter = ["hub"]
    search_fields = ["cell", "hub__name"]
    list_select_related = ["hub"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ServiceAreaCell | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ServiceAreaCell | None = None) -> bool:
        return False
