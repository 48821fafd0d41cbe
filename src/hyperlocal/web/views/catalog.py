"""The product list (search with htmx live results, filters, pages) and a product page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from hyperlocal.catalog import services as catalog
from hyperlocal.catalog.models import Product
from hyperlocal.errors import DomainError, NotFound
from hyperlocal.web.forms import ProductFilterForm
from hyperlocal.web.labels import SUBSTITUTION_CHOICES
from hyperlocal.web.views.cart import add_control_context, in_cart
from hyperlocal.web.views.util import form_errors_text

PAGE_SIZE = 20


def products(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    problem = ""
    if form.is_bound:
        # An invalid filter (an unknown origin, say) is reported and left out; the rest apply.
        form.is_valid()
        filters = form.cleaned_data
        problem = form_errors_text(form)
    found = Product.objects.none()
    try:
        found = catalog.search_products(
            query=filters.get("q") or "",
            specialty_only=bool(filters.get("specialty")),
            origin_code=filters.get("origin") or None,
            category=filters.get("category") or None,
        )
    except DomainError as exc:
        problem = exc.message
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "problem": problem,
        "query": request.GET.urlencode(),
        "in_cart": in_cart(request.user, [p.pk for p in page.object_list]),
        "substitutions": SUBSTITUTION_CHOICES,
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        response = render(request, "web/products/_results.html", context)
    else:
        response = render(request, "web/products/list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        product = catalog.get_product(pk)
    except NotFound:
        raise Http404 from None
    context = {"product": product, **add_control_context(request, product.pk), "oob": False}
    return render(request, "web/products/detail.html", context)
