"""The payment provider interface and the test provider (no database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from hyperlocal.orders.payments import PaymentProvider, TestPaymentProvider, get_provider, provider_named


def test_test_provider_says_it_is_a_test() -> None:
    provider = TestPaymentProvider()
    assert provider.name == "test"
    assert provider.is_test is True
    assert "no real money" in provider.label
    assert "moves no money" in (TestPaymentProvider.__doc__ or "")


def test_authorise_declines_the_decline_token_and_accepts_other_test_tokens() -> None:
    provider = TestPaymentProvider()
    declined = provider.authorise(5000, token="tok_test_decline", reference_hint="ABC")
    assert (declined.ok, declined.code, declined.reference) == (False, "card_declined", "")
    ok = provider.authorise(5000, token="tok_test_visa", reference_hint="ABC")
    assert ok.ok
    assert ok.amount_won == 5000
    assert ok.reference.startswith("test_")
    assert len(ok.reference) == len("test_") + 32
    other = provider.authorise(5000, token="tok_test_visa", reference_hint="ABC")
    assert other.reference != ok.reference  # unique references, same outcome


def test_real_looking_tokens_and_negative_amounts_are_refused() -> None:
    provider = TestPaymentProvider()
    assert provider.authorise(5000, token="tok_live_123", reference_hint="x").code == "not_a_test_token"
    assert provider.authorise(-1, token="tok_test_ok", reference_hint="x").code == "invalid_amount"


def test_follow_ups_need_a_test_reference() -> None:
    provider = TestPaymentProvider()
    ref = provider.authorise(100, token="tok_test_ok", reference_hint="x").reference
    for result in (
        provider.capture(ref, 50),
        provider.reduce(ref, 10),
        provider.refund(ref, 5),
        provider.void(ref),
    ):
        assert result.ok
        assert result.reference == ref
    assert provider.capture("ch_live_1", 50).code == "unknown_reference"
    assert provider.refund(ref, -5).code == "invalid_amount"


def test_get_provider_from_settings() -> None:
    provider: PaymentProvider = get_provider()
    assert isinstance(provider, TestPaymentProvider)
    assert provider_named("test").is_test
    with override_settings(PAYMENT_PROVIDER="bank"), pytest.raises(ImproperlyConfigured):
        get_provider()
