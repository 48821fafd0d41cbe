"""Programmes: opening one with its ledger accounts, who may manage it, which merchants take it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.catalog.models import BusinessCategory, Merchant, RevenueBand
from hyperlocal.errors import InvalidInput, NotAllowed, NotFound
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import AccountKind, LedgerAccount
from hyperlocal.wallet.programmes import BASIS_POINTS, BenefitKind, Programme, ProgrammeAdmin, VoucherKind
from hyperlocal.wallet.services.accounts import open_account
from hyperlocal.wallet.services.clean import clean_now

SYSTEM_SHARDS = 16  # hot programme accounts: concurrent transfers spread over this many rows
_REVENUE_ORDER = [band for band, _label in RevenueBand.choices]
_RULES = {
    "name_ko",
    "name_en",
    "is_active",
    "monthly_purchase_cap_won",
    "benefit_bp",
    "purchase_unit_won",
    "monthly_cashback_cap_won",
    "validity_months",
    "refund_threshold_bp",
    "excluded_categories",
    "bought_revenue_cap",
    "settlement_fee_bp",
    "settlement_every_days",
}


def _system_account(code: str, part: str, kind: str, shards: int, now: datetime) -> LedgerAccount:
    return open_account(
        f"programme/{code}/{part}", kind, owner_ref=f"programme:{code}", shards=shards, now=now
    )


def clean_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """Check the rule fields a programme admin may set (the database CHECKs back them up)."""
    unknown = set(rules) - _RULES
    if unknown:
        raise InvalidInput(
            f"unknown programme settings: {', '.join(sorted(unknown))}", field=sorted(unknown)[0]
        )
    cats = rules.get("excluded_categories", [])
    if not isinstance(cats, list) or any(c not in BusinessCategory.values for c in cats):
        raise InvalidInput(
            f"excluded_categories must be a list of {', '.join(BusinessCategory.values)}",
            field="excluded_categories",
        )
    if "bought_revenue_cap" in rules and rules["bought_revenue_cap"] not in _REVENUE_ORDER:
        raise InvalidInput(
            f"unknown revenue band {rules['bought_revenue_cap']!r}", field="bought_revenue_cap"
        )
    for name in ("name_ko", "name_en"):
        if name in rules and (not isinstance(rules[name], str) or len(rules[name]) > 100):
            raise InvalidInput(f"{name} must be a text of at most 100 characters", field=name)
    if "name_ko" in rules and not rules["name_ko"].strip():
        raise InvalidInput("name_ko must not be empty", field="name_ko")
    if "is_active" in rules and not isinstance(rules["is_active"], bool):
        raise InvalidInput("is_active must be true or false", field="is_active")
    limits = {
        "monthly_purchase_cap_won": (1, 100_000_000),
        "benefit_bp": (0, 5000),
        "purchase_unit_won": (1, 1_000_000),
        "monthly_cashback_cap_won": (0, 10_000_000),
        "validity_months": (1, 120),
        "refund_threshold_bp": (0, BASIS_POINTS),
        "settlement_fee_bp": (0, 1000),
        "settlement_every_days": (1, 31),
    }
    for name, (low, high) in limits.items():
        if name not in rules:
            continue
        value = rules[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(
                f"{name} must be a whole number from {low} to {high}, got {value!r}", field=name
            )
    return rules


def open_programme(
    *,
    code: str,
    name_ko: str,
    region: Region,
    benefit: str,
    monthly_purchase_cap_won: int,
    now: datetime,
    **rules: Any,
) -> Programme:
    """Open a programme with its five ledger accounts. Idempotent by code: opening it again
    returns the existing programme (its rules are changed with update_rules)."""
    clean_now(now)
    existing = Programme.objects.filter(code=code).first()
    if existing is not None:
        return existing
    if benefit not in BenefitKind.values:
        raise InvalidInput(f"benefit must be one of {', '.join(BenefitKind.values)}", field="benefit")
    if not code or len(code) > 40:
        raise InvalidInput("code must be 1 to 40 characters", field="code")
    clean_rules(rules)
    unit = rules.get("purchase_unit_won", 10_000)
    if (
        isinstance(monthly_purchase_cap_won, bool)
        or not isinstance(monthly_purchase_cap_won, int)
        or not unit <= monthly_purchase_cap_won <= 100_000_000
    ):
        raise InvalidInput(
            f"monthly_purchase_cap_won must be from one purchase unit ({unit}) to 100,000,000 won",
            field="monthly_purchase_cap_won",
        )
    with transaction.atomic():
        return Programme.objects.create(
            code=code,
            name_ko=name_ko,
            region=region,
            benefit=benefit,
            monthly_purchase_cap_won=monthly_purchase_cap_won,
            created_at=now,
            float_account=_system_account(code, "float", AccountKind.PROGRAMME_FLOAT, SYSTEM_SHARDS, now),
            budget_account=_system_account(code, "budget", AccountKind.DISCOUNT_EXPENSE, SYSTEM_SHARDS, now),
            cash_account=_system_account(code, "cash", AccountKind.CASH_CLEARING, SYSTEM_SHARDS, now),
            fees_account=_system_account(code, "fees", AccountKind.FEES, 1, now),
            cap_source_account=_system_account(code, "caps", AccountKind.CAP_SOURCE, SYSTEM_SHARDS, now),
            **rules,
        )


def get_programme(code: str) -> Programme:
    programme = Programme.objects.select_related("region").filter(code=code).first()
    if programme is None:
        raise NotFound(f"no voucher programme {code!r}", field="programme", code="programme_not_found")
    return programme


def managed_by(user: User) -> QuerySet[Programme]:
    """The programmes this user may manage: platform admins all; programme admins those of
    their regions; anyone else none."""
    everything = Programme.objects.select_related("region")
    if user.is_superuser or user.groups.filter(name=str(Role.PLATFORM_ADMIN)).exists():
        return everything.all()
    if not user.groups.filter(name=str(Role.PROGRAMME_ADMIN)).exists():
        return everything.none()
    regions = ProgrammeAdmin.objects.filter(user=user).values("region_id")
    return everything.filter(region_id__in=regions)


def check_can_manage(user: User, programme: Programme) -> None:
    if not managed_by(user).filter(pk=programme.pk).exists():
        raise NotAllowed(
            f"you do not manage the programme {programme.code}: a programme admin manages the "
            "programmes of their own region only",
            field="programme",
        )


def update_rules(user: User, programme: Programme, rules: dict[str, Any]) -> Programme:
    """Change a programme's rules (an admin of its region); accounts and region never change.
    A new monthly cap applies from the next month (this month's allowances are funded)."""
    check_can_manage(user, programme)
    clean_rules(rules)
    unit = rules.get("purchase_unit_won", programme.purchase_unit_won)
    if rules.get("monthly_purchase_cap_won", programme.monthly_purchase_cap_won) < unit:
        raise InvalidInput(
            f"the monthly purchase cap must be at least one purchase unit ({unit:,} won)",
            field="monthly_purchase_cap_won",
        )
    for name, value in rules.items():
        setattr(programme, name, value)
    programme.save(update_fields=list(rules))
    return programme


def merchant_is_eligible(programme: Programme, merchant: Merchant, kind: str) -> str | None:
    """None when `merchant` takes `kind` vouchers of `programme`, else why not (shown to the
    resident). Bought vouchers also need a revenue band not above the programme's cap;
    policy-issued ones may be spent at larger merchants of the region too."""
    return eligibility_reason(
        programme,
        region_id=merchant.region_id,
        parent_region_id=merchant.region.parent_id,
        category=merchant.business_category,
        revenue_band=merchant.revenue_band,
        active=merchant.is_active,
        kind=kind,
        name=merchant.name,
    )


def eligibility_reason(
    programme: Programme,
    *,
    region_id: int,
    parent_region_id: int | None = None,
    category: str,
    revenue_band: str,
    active: bool,
    kind: str,
    name: str = "this merchant",
) -> str | None:
    if not programme.is_active:
        return f"the programme {programme.name_ko} is closed"
    if not active:
        return f"{name} is not trading"
    # Registered in the programme's region: the district itself or one of its dongs.
    if programme.region_id not in (region_id, parent_region_id):
        return f"{name} is not registered in {programme.region.name_ko}"
    if category in (programme.excluded_categories or []):
        return f"{name}'s business category ({category}) is excluded from the programme"
    if kind == VoucherKind.BOUGHT and _REVENUE_ORDER.index(revenue_band) > _REVENUE_ORDER.index(
        programme.bought_revenue_cap
    ):
        return f"{name}'s yearly revenue is above the cap for bought vouchers"
    return None
