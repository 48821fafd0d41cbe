"""The REST API: one django-ninja router per domain app, OpenAPI at /api/docs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hyperlocal import __version__
from hyperlocal.accounts.api import router as accounts_router
from hyperlocal.catalog.api import router as catalog_router
from hyperlocal.dispatch.api import router as dispatch_router
from hyperlocal.errors import DomainError
from hyperlocal.hubs.api import router as hubs_router
from hyperlocal.inventory.api import router as inventory_router
from hyperlocal.orders.api import router as orders_router
from hyperlocal.planning.api import router as planning_router
from hyperlocal.regions.api import router as regions_router
from hyperlocal.wallet.api import router as wallet_router

api = NinjaAPI(
    title="hyperlocal API",
    version=__version__,
    description=(
        "Neighbourhood commerce: residents and households, merchants and products, hubs and "
        "their service areas, hub stock, carts, checkout, orders and picking, couriers and dispatch, "
        "site planning. "
        "Authenticate with a browser session (send the CSRF token on "
        "writes) or with `Authorization: Bearer <token>` from `POST /api/accounts/tokens`."
    ),
    urls_namespace="api",
)
api.add_router("/regions", regions_router)
api.add_router("/accounts", accounts_router)
api.add_router("/catalog", catalog_router)
api.add_router("/hubs", hubs_router)
api.add_router("/inventory", inventory_router)
api.add_router("/orders", orders_router)
api.add_router("/dispatch", dispatch_router)
api.add_router("/wallet", wallet_router)
api.add_router("/planning", planning_router)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def on_invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Pydantic's errors, reshaped so that the message names the field in plain words."""
    errors = []
    for error in exc.errors:
        loc = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "query", "path", "payload", "form")
        ]
        errors.append({"field": ".".join(loc) or None, "message": str(error.get("msg", "invalid"))})
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    detail = f"{first['field']}: {first['message']}" if first["field"] else str(first["message"])
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more problem(s))"
    body = {"detail": detail, "code": "InvalidInput", "field": first["field"], "errors": errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja answers 400 only for a body it cannot parse: bad input like any other, so 422.
    if exc.status_code == 400:
        body = {"detail": "body: not valid JSON or form data", "code": "InvalidInput", "field": "body"}
        return api.create_response(request, body, status=422)
    return api.create_response(request, {"detail": str(exc), "code": "HttpError"}, status=exc.status_code)


@api.exception_handler(DjangoValidationError)
def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "; ".join(exc.messages), "code": "InvalidInput"}, status=422
    )


@api.exception_handler(DjangoPermissionDenied)
def on_permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": str(exc) or "Not allowed.", "code": "NotAllowed"}, status=403
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not found.", "code": "NotFound"}, status=404)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Log in or send 'Authorization: Bearer <token>'.", "code": "Unauthenticated"},
        status=401,
    )
