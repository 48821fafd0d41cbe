"""Payment rows of an order: authorise at placement, then reduce, capture, void, refund.

An order may have several Payment rows, one per tender: the card, and local-currency
vouchers (tender "voucher", see tender.py, which says how much each tender takes and passes
`tender=` here). Without `tender`, amounts are spread over the rows in row order (refunds in
reverse order). Each step locks the order's payment rows, changes each row with a conditional
UPDATE (the row must still hold the values it was read with, and the CHECK constraints keep
captured within authorised and refunded within captured), asks the row's provider, and
records an event naming the tender. A provider refusal raises, so the caller's transaction
rolls the rows back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.orders.errors import PaymentDeclined
from hyperlocal.orders.models import Order, Payment
from hyperlocal.orders.payments import PaymentProvider, ProviderResult, provider_named
from hyperlocal.orders.services.events import build_event, record_events

_OPEN = (Payment.Status.AUTHORISED, Payment.Status.CAPTURED)
CARD = "card"
VOUCHER = "voucher"


def authorise(
    provider: PaymentProvider, amount_won: int, *, token: str, reference_hint: str
) -> ProviderResult:
    """Ask the provider to authorise the amount; PaymentDeclined (402) when it refuses."""
    result = provider.authorise(amount_won, token=token, reference_hint=reference_hint)
    if not result.ok:
        raise PaymentDeclined(
            f"The payment was declined: {result.message or result.code}", field="payment_token"
        )
    return result


def payment_row(
    order: Order, provider: PaymentProvider, result: ProviderResult, *, tender: str = "card", now: datetime
) -> Payment:
    """The unsaved Payment row for an authorisation (the checkout inserts it with the order)."""
    return Payment(
        order=order,
        tender=tender,
        provider=provider.name,
        reference=result.reference,
        status=Payment.Status.AUTHORISED,
        authorised_won=result.amount_won,
        created_at=now,
        updated_at=now,
    )


def _check_amount(amount_won: int) -> int:
    if isinstance(amount_won, bool) or not isinstance(amount_won, int) or amount_won < 0:
        raise InvalidInput("The amount must be a whole number of won, not negative.", field="amount_won")
    return amount_won


def _locked_rows(order: Order, tender: str | None = None) -> list[Payment]:
    """The order's payment rows, locked, in id order (those of one tender when given)."""
    rows = list(Payment.objects.select_for_update().filter(order=order).order_by("pk"))
    return [r for r in rows if r.tender == tender] if tender is not None else rows


def _provider_for(row: Payment, provider: PaymentProvider | None) -> PaymentProvider:
    if provider is not None and provider.name == row.provider:
        return provider
    return provider_named(row.provider)


def _apply(row: Payment, now: datetime, **changes: object) -> None:
    """UPDATE the row to `changes` only if it still holds what we read (else Conflict)."""
    done = Payment.objects.filter(
        pk=row.pk,
        status=row.status,
        authorised_won=row.authorised_won,
        captured_won=row.captured_won,
        refunded_won=row.refunded_won,
    ).update(updated_at=now, **changes)
    if done != 1:
        raise Conflict("The payment changed meanwhile; try again.", code="payment_changed")
    for name, value in changes.items():
        setattr(row, name, value)
    row.updated_at = now


def _ask(result: ProviderResult, what: str) -> None:
    if not result.ok:
        raise Conflict(
            f"The payment provider refused to {what}: {result.message or result.code}",
            code="payment_provider_refused",
        )


def _spread(
    order: Order,
    amount_won: int,
    *,
    room: Callable[[Payment], int],
    step: Callable[[Payment, int], None],
    kind: str,
    what: str,
    actor: User | None,
    now: datetime,
    reverse: bool = False,
    tender: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Take `amount_won` from the rows in order (of one tender when given), each as far as
    its `room` allows. `detail` goes into each event's data (e.g. the shipment)."""
    if _check_amount(amount_won) == 0:
        return
    with transaction.atomic():
        rows = _locked_rows(order, tender)
        if reverse:
            rows.reverse()
        if sum(max(room(r), 0) for r in rows) < amount_won:
            raise Conflict(
                f"Cannot {what} {amount_won} won: the payment does not cover it.",
                code="payment_amount_exceeds",
            )
        left = amount_won
        events = []
        for row in rows:
            take = min(left, max(room(row), 0))
            if take == 0:
                continue
            step(row, take)
            events.append(
                build_event(
                    order,
                    kind,
                    actor=actor,
                    at=now,
                    data={**(detail or {}), "payment_id": row.pk, "tender": row.tender, "amount_won": take},
                )
            )
            left -= take
            if left == 0:
                break
        record_events(events)


def reduce_authorisation(
    order: Order,
    amount_won: int,
    *,
    actor: User | None = None,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
    tender: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Lower what is authorised (a short pick, a cheaper substitute) by `amount_won`."""
    moment = now or timezone.now()

    def step(row: Payment, take: int) -> None:
        left = row.authorised_won - take
        status = Payment.Status.VOIDED if left == 0 and row.captured_won == 0 else row.status
        _apply(row, moment, authorised_won=left, status=status)
        _ask(_provider_for(row, provider).reduce(row.reference, take), "reduce the authorisation")

    _spread(
        order,
        amount_won,
        room=lambda r: r.authorised_won - r.captured_won if r.status in _OPEN else 0,
        step=step,
        kind="payment_reduced",
        what="reduce the authorisation by",
        actor=actor,
        now=moment,
        tender=tender,
        detail=detail,
    )


def capture_payment(
    order: Order,
    amount_won: int,
    *,
    actor: User | None = None,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
    tender: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Capture `amount_won` (at delivery; per shipment, captures add up to at most what is
    authorised)."""
    moment = now or timezone.now()

    def step(row: Payment, take: int) -> None:
        _apply(row, moment, captured_won=row.captured_won + take, status=Payment.Status.CAPTURED)
        _ask(_provider_for(row, provider).capture(row.reference, take), "capture")

    _spread(
        order,
        amount_won,
        room=lambda r: r.authorised_won - r.captured_won if r.status in _OPEN else 0,
        step=step,
        kind="payment_captured",
        what="capture",
        actor=actor,
        now=moment,
        tender=tender,
        detail=detail,
    )


def refund_payment(
    order: Order,
    amount_won: int,
    *,
    actor: User | None = None,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
    tender: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Give back `amount_won` of what was captured (last tender first)."""
    moment = now or timezone.now()

    def step(row: Payment, take: int) -> None:
        refunded = row.refunded_won + take
        status = Payment.Status.REFUNDED if refunded == row.captured_won else row.status
        _apply(row, moment, refunded_won=refunded, status=status)
        _ask(_provider_for(row, provider).refund(row.reference, take), "refund")

    _spread(
        order,
        amount_won,
        room=lambda r: (
            r.captured_won - r.refunded_won
            if r.status in (Payment.Status.CAPTURED, Payment.Status.REFUNDED)
            else 0
        ),
        step=step,
        kind="payment_refunded",
        what="refund",
        actor=actor,
        now=moment,
        reverse=True,
        tender=tender,
        detail=detail,
    )


def void_payment(
    order: Order,
    *,
    actor: User | None = None,
    provider: PaymentProvider | None = None,
    now: datetime | None = None,
    tender: str | None = None,
) -> None:
    """Release everything authorised and not captured (cancellation), of every row or of one
    tender's. A row with nothing captured becomes voided; a partly captured one keeps what was
    captured."""
    moment = now or timezone.now()
    with transaction.atomic():
        events = []
        for row in _locked_rows(order, tender):
            if (
                row.status in (Payment.Status.VOIDED, Payment.Status.FAILED)
                or row.authorised_won == row.captured_won
            ):
                continue
            released = row.authorised_won - row.captured_won
            chosen = _provider_for(row, provider)
            if row.captured_won == 0:
                _apply(row, moment, status=Payment.Status.VOIDED)
                _ask(chosen.void(row.reference), "void")
            else:
                _apply(row, moment, authorised_won=row.captured_won)
                _ask(chosen.reduce(row.reference, released), "release the rest of")
            events.append(
                build_event(
                    order,
                    "payment_voided",
                    actor=actor,
                    at=moment,
                    data={"payment_id": row.pk, "tender": row.tender, "amount_won": released},
                )
            )
        record_events(events)
