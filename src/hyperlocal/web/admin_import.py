"""An "Import file" page for admin changelists, shared by every model that can be imported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from hyperlocal.imports import ImportFailed, ImportReport

ImportHandler = Callable[[bytes, str], ImportReport]


class ImportFileForm(forms.Form):
    file = forms.FileField(label="File")


class ImportFileAdminMixin:
    """Add to a ModelAdmin and set `import_handler` (bytes, filename -> report) and
    `import_help` (the expected columns). The whole file is imported or nothing is."""

    import_handler: ImportHandler
    import_help: str = ""
    change_list_template: ClassVar[str | None] = "admin/change_list_with_import.html"

    def get_urls(self) -> list[URLPattern]:
        model_admin: Any = self
        opts = model_admin.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import"
        extra = [path("import/", model_admin.admin_site.admin_view(self.import_view), name=name)]
        inherited: list[URLPattern] = super().get_urls()  # type: ignore[misc]
        return extra + inherited

    def import_view(self, request: HttpRequest) -> HttpResponse:
        model_admin: Any = self
        opts = model_admin.model._meta
        if not model_admin.has_add_permission(request):
            messages.error(request, "You may not import these.")
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        form = ImportFileForm(request.POST or None, request.FILES or None)
        errors: list[Any] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with transaction.atomic():
                    handler = type(self).import_handler
                    report = handler(upload.read(), upload.name)
            except ImportFailed as exc:
                errors = exc.errors
                messages.error(request, f"Nothing was imported: {len(errors)} bad row(s), listed below.")
            else:
                messages.success(request, str(report))
                return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": opts,
            "form": form,
            "errors": errors,
            "import_help": self.import_help,
            "title": f"Import {opts.verbose_name_plural}",
        }
        return TemplateResponse(request, "admin/import_file.html", context)


__all__ = ["ImportFileAdminMixin"]
