"""Schemathesis over the OpenAPI spec: no input may get a 5xx, and every answer must match
the documented status codes and schemas. Runs in-process against the Django WSGI app on the
test database, as a signed-in resident who is also a merchant's staff and a hub operator, so
that the write paths are reached and not only the 401s. The resident's home lies in the
hub's service area and the hub stocks the merchant's product, so that carts, quotes and
orders get past "no home" and "outside the service area"."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hyperlocal.accounts.auth import issue_token
from hyperlocal.hubs.services import refresh_service_area
from hyperlocal.regions.models import Region
from tests.factories import (
    HouseholdFactory,
    HubFactory,
    MerchantStaffFactory,
    ProductFactory,
    StockFactory,
    UserFactory,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def keep_test_connection() -> Iterator[None]:
    """The WSGI handler closes "old" connections at the end of each request; on PostgreSQL that
    would close the test transaction's connection under the test's feet."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(keep_test_connection: None, mapo: Region) -> dict[str, str]:
    home = HouseholdFactory()
    user = UserFactory(username="fuzzer", household=home)
    staff = MerchantStaffFactory(user=user)
    product = ProductFactory(merchant=staff.merchant)
    hub = HubFactory()
    hub.operators.add(user)
    refresh_service_area(hub)
    assert hub.service_cells.filter(cell=home.home_cell).exists()
    StockFactory(hub=hub, product=product, on_hand=50)
    _, key = issue_token(user, "schemathesis")
    return {"Authorization": f"Bearer {key}"}


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@pytest.mark.django_db
def test_no_input_breaks_the_api(case: Any, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)
