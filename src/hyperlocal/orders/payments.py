"""Payment providers: the interface the checkout talks to, and the TEST provider shipped
for tests and the demo.

A provider knows nothing about the database: it answers whether an authorisation, capture,
void or refund went through and gives the reference to quote later. The services in
`hyperlocal.orders.services.payment` keep the Payment rows. The second tender, local-currency
vouchers, has its own Payment row per order (tender "voucher", provider "wallet"): the wallet
services move its money on the ledger (orders/services/tender.py calls them), and
VoucherTender below only answers yes to the row's follow-ups.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TEST_TOKEN_PREFIX = "tok_test_"
TEST_DECLINE_TOKEN = "tok_test_decline"


@dataclass(frozen=True)
class ProviderResult:
    """What a provider answered. `reference` identifies the authorisation at the provider."""

    ok: bool
    reference: str
    amount_won: int
    code: str = ""
    message: str = ""


class PaymentProvider(Protocol):
    name: str
    is_test: bool

    def authorise(self, amount_won: int, *, token: str, reference_hint: str) -> ProviderResult: ...

    def reduce(self, reference: str, amount_won: int) -> ProviderResult: ...

    def capture(self, reference: str, amount_won: int) -> ProviderResult: ...

    def void(self, reference: str) -> ProviderResult: ...

    def refund(self, reference: str, amount_won: int) -> ProviderResult: ...


class TestPaymentProvider:
    """TEST PAYMENT PROVIDER — moves no money, talks to no bank.

    Deterministic: the token "tok_test_decline" is declined, any other "tok_test_..." token is
    authorised, anything else is refused as not a test token. References are
    "test_<uuid hex>". Captures, voids and refunds of a test reference always succeed (the
    amounts are checked by the Payment rows, which the services update conditionally).
    """

    __test__ = False  # not a pytest test class
    name: str = "test"
    is_test: bool = True
    label = "Test payment provider (no real money moves)"

    def authorise(self, amount_won: int, *, token: str, reference_hint: str) -> ProviderResult:
        if amount_won < 0:
            return ProviderResult(False, "", amount_won, "invalid_amount", "The amount must not be negative.")
        if not token.startswith(TEST_TOKEN_PREFIX):
            return ProviderResult(
                False, "", amount_won, "not_a_test_token", "The test provider only takes tok_test_* tokens."
            )
        if token == TEST_DECLINE_TOKEN:
            return ProviderResult(
                False, "", amount_won, "card_declined", "The card was declined (test token)."
            )
        return ProviderResult(True, f"test_{uuid.uuid4().hex}", amount_won)

    def _follow_up(self, reference: str, amount_won: int) -> ProviderResult:
        if not reference.startswith("test_"):
            return ProviderResult(False, reference, amount_won, "unknown_reference", "Not a test reference.")
        if amount_won < 0:
            return ProviderResult(False, reference, amount_won, "invalid_amount", "Negative amount.")
        return ProviderResult(True, reference, amount_won)

    def reduce(self, reference: str, amount_won: int) -> ProviderResult:
        return self._follow_up(reference, amount_won)

    def capture(self, reference: str, amount_won: int) -> ProviderResult:
        return self._follow_up(reference, amount_won)

    def void(self, reference: str) -> ProviderResult:
        return self._follow_up(reference, 0)

    def refund(self, reference: str, amount_won: int) -> ProviderResult:
        return self._follow_up(reference, amount_won)


class VoucherTender:
    """The provider of an order's voucher Payment row. The vouchers are held, posted, voided
    and refunded on the ledger by hyperlocal.wallet.services.spending (orders/services/tender.py
    calls it first and passes on what it moved); the row then follows with these answers,
    which never refuse. It authorises nothing itself: a checkout holds vouchers through the
    wallet, never through a payment token."""

    name: str = "wallet"
    is_test: bool = False

    def authorise(self, amount_won: int, *, token: str, reference_hint: str) -> ProviderResult:
        return ProviderResult(
            False, "", amount_won, "not_a_card", "Vouchers are held through the wallet, not a token."
        )

    def _done(self, reference: str, amount_won: int) -> ProviderResult:
        return ProviderResult(True, reference, amount_won)

    def reduce(self, reference: str, amount_won: int) -> ProviderResult:
        return self._done(reference, amount_won)

    def capture(self, reference: str, amount_won: int) -> ProviderResult:
        return self._done(reference, amount_won)

    def void(self, reference: str) -> ProviderResult:
        return self._done(reference, 0)

    def refund(self, reference: str, amount_won: int) -> ProviderResult:
        return self._done(reference, amount_won)


_PROVIDERS: dict[str, type[PaymentProvider]] = {"test": TestPaymentProvider, "wallet": VoucherTender}


def provider_named(name: str) -> PaymentProvider:
    """The provider that handles Payment rows with this `provider` name."""
    try:
        return _PROVIDERS[name]()
    except KeyError:
        raise ImproperlyConfigured(
            f"Unknown payment provider {name!r}; known: {sorted(_PROVIDERS)}"
        ) from None


def get_provider() -> PaymentProvider:
    """The card provider configured in settings.PAYMENT_PROVIDER."""
    return provider_named(str(settings.PAYMENT_PROVIDER))
