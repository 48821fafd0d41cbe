"""The resident's cart: lines, stock held for them, and checkout of the cart.

Whenever the cart changes, its holds are released and taken again for the new plan, in one
transaction, for settings.CART_HOLD_MINUTES. Lines that cannot be held stay in the cart and
are reported as unavailable. Checkout turns the holds into the order's reservation: it
releases them and places the order in the same transaction, so nobody can take the units in
between; an expired cart is re-checked and fails with "cart_expired" when the stock is gone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.errors import InvalidInput, NotFound
from hyperlocal.orders.allocation import Plan
from hyperlocal.orders.errors import OutOfStock
from hyperlocal.orders.models import Cart, CartLine, Substitution
from hyperlocal.orders.payments import PaymentProvider
from hyperlocal.orders.services.candidates import plan_for
from hyperlocal.orders.services.checkout import (
    MAX_LINES,
    MAX_QUANTITY,
    DeliveryChoice,
    LineRequest,
    PlacedOrder,
    clean_delivery,
    clean_token,
    delivery_fee,
    instant_eta,
    new_order_code,
    write_order,
)
from hyperlocal.orders.services.holds import (
    held_by_cart,
    release_cart_holds,
    release_expired_holds,
    take_holds,
    units_by_product,
)
from hyperlocal.orders.services.idempotency import claim, clean_key, request_hash
from hyperlocal.orders.services.promise import SlotOption, slot_options
from hyperlocal.orders.services.tender import clean_voucher_won


@dataclass(frozen=True)
class CartLineView:
    product_id: int
    name: str
    unit: str
    quantity: int
    unit_price_won: int
    total_won: int
    substitution: str
    held: int  # units held for this line now
    available: bool  # False: the hubs cannot serve this line now (it stays in the cart)


@dataclass(frozen=True)
class CartSummary:
    lines: tuple[CartLineView, ...]
    items_won: int
    delivery_fee_won: int
    total_won: int
    holds_expire_at: datetime | None
    minutes_left: int  # whole minutes until the holds expire (0: nothing held)
    holds_expired: bool  # the cart held stock and the hold ran out
    plan: Plan | None
    plan_summary: str
    instant_eta_minutes: int | None
    slot_options: list[SlotOption] = field(default_factory=list)
    unavailable: tuple[int, ...] = ()  # product ids
    notice: str = ""  # why nothing can be planned (no home, outside every service area)

    @property
    def is_empty(self) -> bool:
        return not self.lines


def get_cart(user: User) -> Cart:
    cart, _ = Cart.objects.get_or_create(user=user)
    return cart


def _locked_cart(user: User) -> Cart:
    Cart.objects.get_or_create(user=user)
    return Cart.objects.select_for_update().get(user=user)


def _basket(cart: Cart) -> dict[int, int]:
    return dict(CartLine.objects.filter(cart=cart).values_list("product_id", "quantity"))


def _plan(
    user: User, basket: dict[int, int], *, now: datetime, extra: dict[tuple[int, int], int] | None
) -> Plan:
    """Raises InvalidInput (no home / outside every service area)."""
    home = user.household if user.household_id else None
    if home is None:
        raise InvalidInput("Set your home address to see delivery options.", code="no_home")
    return plan_for(home.home_cell, basket, now=now, instant=True, extra_stock=extra)


def refresh_holds(user: User, cart: Cart, *, now: datetime) -> None:
    """Release the cart's holds and hold its lines again (as much as can be held)."""
    release_cart_holds(cart.pk)
    basket = _basket(cart)
    release_expired_holds(now=now, product_ids=basket)  # expired holds of others do not count
    if not basket:
        Cart.objects.filter(pk=cart.pk).update(holds_expire_at=None)
        return
    try:
        plan = _plan(user, basket, now=now, extra=None)
        if not plan.can_serve:
            servable = {p: q - plan.missing.get(p, 0) for p, q in basket.items()}
            servable = {p: q for p, q in servable.items() if q > 0}
            plan = _plan(user, servable, now=now, extra=None) if servable else plan
    except InvalidInput:
        Cart.objects.filter(pk=cart.pk).update(holds_expire_at=None)
        return
    if plan.can_serve:
        take_holds(cart, plan, now=now)
    else:
        Cart.objects.filter(pk=cart.pk).update(holds_expire_at=None)


def set_cart_line(
    user: User,
    product_id: int,
    quantity: int,
    substitution: str = Substitution.ALLOW.value,
    *,
    now: datetime | None = None,
) -> CartSummary:
    """Set a line's quantity (0 removes it) and substitution choice; holds follow."""
    moment = now or timezone.now()
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
        raise InvalidInput(f"quantity must be a whole number from 0 to {MAX_QUANTITY}.", field="quantity")
    if substitution not in Substitution.values:
        raise InvalidInput(
            f"substitution must be one of {', '.join(Substitution.values)}.", field="substitution"
        )
    if isinstance(product_id, bool) or not isinstance(product_id, int):
        raise InvalidInput("product_id must be a whole number.", field="product_id")
    with transaction.atomic():
        cart = _locked_cart(user)
        if quantity == 0:
            CartLine.objects.filter(cart=cart, product_id=product_id).delete()
        else:
            if not Product.objects.filter(pk=product_id, is_active=True, merchant__is_active=True).exists():
                raise NotFound(
                    f"Product {product_id} does not exist or is not on sale.",
                    field="product_id",
                    code="unknown_product",
                )
            updated = CartLine.objects.filter(cart=cart, product_id=product_id).update(
                quantity=quantity, substitution=substitution
            )
            if not updated:
                if CartLine.objects.filter(cart=cart).count() >= MAX_LINES:
                    raise InvalidInput(
                        f"A cart has at most {MAX_LINES} lines.", field="product_id", code="too_many_lines"
                    )
                CartLine.objects.create(
                    cart=cart,
                    product_id=product_id,
                    quantity=quantity,
                    substitution=substitution,
                    added_at=moment,
                )
        refresh_holds(user, cart, now=moment)
    return cart_summary(user, now=moment)


def clear_cart(user: User) -> None:
    """Empty the cart and give its held units back."""
    with transaction.atomic():
        cart = _locked_cart(user)
        release_cart_holds(cart.pk)
        CartLine.objects.filter(cart=cart).delete()
        Cart.objects.filter(pk=cart.pk).update(holds_expire_at=None)


def cart_summary(user: User, *, now: datetime | None = None) -> CartSummary:
    """Lines with prices and held units, how long the hold lasts, the plan and the promise
    options. Releases this cart's expired holds on the way (lazily, besides the worker)."""
    moment = now or timezone.now()
    cart = get_cart(user)
    expired = cart.holds_expire_at is not None and cart.holds_expire_at <= moment
    if expired:
        with transaction.atomic():
            release_cart_holds(cart.pk, expired_at=moment)
    lines = list(CartLine.objects.filter(cart=cart).select_related("product"))
    held = held_by_cart(cart.pk, now=moment)
    basket = {ln.product_id: ln.quantity for ln in lines}
    plan: Plan | None = None
    notice = ""
    options: list[SlotOption] = []
    if basket:
        try:
            plan = _plan(user, basket, now=moment, extra=held)
        except InvalidInput as error:
            notice = error.message
    if plan is not None and plan.can_serve:
        options = slot_options(list(plan.hub_ids), now=moment)
    missing = plan.missing if plan is not None else {}
    held_units = units_by_product(held)
    views = tuple(
        CartLineView(
            product_id=ln.product_id,
            name=ln.product.name_ko,
            unit=ln.product.unit,
            quantity=ln.quantity,
            unit_price_won=ln.product.price_won,
            total_won=ln.product.price_won * ln.quantity,
            substitution=ln.substitution,
            held=held_units.get(ln.product_id, 0),
            available=not notice and ln.product.is_active and ln.product_id not in missing,
        )
        for ln in lines
    )
    items = sum(v.total_won for v in views)
    fee = delivery_fee(items) if views else 0
    expires = cart.holds_expire_at if held and not expired else None
    left = math.ceil((expires - moment).total_seconds() / 60) if expires else 0
    return CartSummary(
        lines=views,
        items_won=items,
        delivery_fee_won=fee,
        total_won=items + fee,
        holds_expire_at=expires,
        minutes_left=max(left, 0),
        holds_expired=expired,
        plan=plan,
        plan_summary=plan.summary if plan is not None else notice,
        instant_eta_minutes=instant_eta(plan) if plan is not None else None,
        slot_options=options,
        unavailable=tuple(v.product_id for v in views if not v.available),
        notice=notice,
    )


def cart_hash(delivery: DeliveryChoice, token: str, voucher_won: int = 0) -> str:
    """Like placement_hash, the voucher part counts only when there is one."""
    starts = delivery.slot_starts_at
    payload: dict[str, object] = {
        "cart": True,
        "delivery": {"kind": delivery.kind, "slot_starts_at": starts.isoformat() if starts else None},
        "payment_token": token,
    }
    if voucher_won:
        payload["voucher_won"] = voucher_won
    return request_hash(payload)


def checkout_cart(
    user: User,
    delivery: DeliveryChoice,
    *,
    idempotency_key: str,
    payment_token: str = "tok_test_ok",
    now: datetime | None = None,
    provider: PaymentProvider | None = None,
    voucher_won: int = 0,
) -> PlacedOrder:
    """Place the cart as an order: its holds become the order's reservation in the same
    transaction, and the cart is emptied. A repeat with the same key returns the order.
    `voucher_won`: the part paid with vouchers, as in place_order."""
    moment = now or timezone.now()
    key = clean_key(idempotency_key)
    choice = clean_delivery(delivery)
    token = clean_token(payment_token)
    vouchers = clean_voucher_won(voucher_won)
    with transaction.atomic(savepoint=False):  # like place_order: the edge's transaction
        code = new_order_code()
        existing = claim(user, key, cart_hash(choice, token, vouchers), order_code=code, now=moment)
        if existing is not None:
            return PlacedOrder(existing, created=False)
        cart = _locked_cart(user)
        lines = [
            LineRequest(product_id, quantity, substitution)
            for product_id, quantity, substitution in CartLine.objects.filter(cart=cart).values_list(
                "product_id", "quantity", "substitution"
            )
        ]
        if not lines:
            raise InvalidInput("Your cart is empty.", field="cart", code="cart_empty")
        expired = cart.holds_expire_at is None or cart.holds_expire_at <= moment
        release_cart_holds(cart.pk)
        release_expired_holds(now=moment, product_ids=[ln.product_id for ln in lines])
        try:
            written = write_order(
                user,
                lines,
                choice,
                code=code,
                token=token,
                now=moment,
                provider=provider,
                voucher_won=vouchers,
            )
        except OutOfStock as error:
            if not expired:
                raise
            raise OutOfStock(
                "Your cart's hold expired and the stock is no longer there. " + error.message,
                field="cart",
                code="cart_expired",
            ) from error
        CartLine.objects.filter(cart=cart).delete()
        Cart.objects.filter(pk=cart.pk).update(holds_expire_at=None, updated_at=moment)
    return PlacedOrder(written.order, created=True, written=written)


__all__ = [
    "CartLineView",
    "CartSummary",
    "cart_summary",
    "checkout_cart",
    "clear_cart",
    "get_cart",
    "refresh_holds",
    "set_cart_line",
]
