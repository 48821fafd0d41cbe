"""Building, reusing and removing the demo city. The caller holds the transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils import timezone

from hyperlocal.accounts.models import Household, User
from hyperlocal.accounts.roles import Role, ensure_roles
from hyperlocal.accounts.services import current_verification, verify_neighbourhood
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.dispatch.models import Courier
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import VacantSpace
from hyperlocal.simulation.demo.catalogue import MERCHANTS
from hyperlocal.simulation.demo.city import load_city
from hyperlocal.simulation.demo.couriers import create_couriers
from hyperlocal.simulation.demo.households import SOURCE, create_households
from hyperlocal.simulation.demo.hubs import open_hubs, pick_spaces
from hyperlocal.simulation.demo.merchants import create_catalogue, make_owner
from hyperlocal.simulation.demo.people import USERNAME_PREFIX, create_demo_users, login_for
from hyperlocal.simulation.demo.population import create_population_grid, delete_population_grid
from hyperlocal.simulation.demo.spaces import EXTERNAL_ID_PREFIX, create_spaces
from hyperlocal.simulation.demo.trade import delete_trade, open_slots, stock_and_history
from hyperlocal.simulation.demo.vouchers import build_vouchers, delete_vouchers
from hyperlocal.simulation.models import DemoBuild

# Raise when the generator changes what a seed produces, so that old demo cities are rebuilt.
# 6: a population grid (dong statistics spread by the homes); homes keep out of World Cup Park
GENERATOR_VERSION = 6
DEFAULT_HOUSEHOLDS = 22_000
HOUSEHOLDS_RANGE = (200, 500_000)
# The merchant whose owner is the demo merchant login: it sells the Jeju tangerines.
DEMO_MERCHANT_SLUG = "jeju-gamgyul-orchard"

STEPS = (
    "clearing any previous demo city",
    "loading Mapo-gu's dongs",
    "sampling households",
    "spreading the dongs' population over a grid",
    "placing vacant spaces",
    "creating demo accounts",
    "stocking merchants and products",
    "opening hubs and computing service areas",
    "hiring couriers",
    "stocking hubs and writing two weeks of orders",
    "opening delivery slots",
    "opening the local-currency programme: vouchers, past voucher payments, settlements",
)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOutcome:
    build: DemoBuild
    reused: bool


def _check(seed: int, households: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InvalidInput(f"seed must be a whole number from 0 to 2**63-1, got {seed!r}", field="seed")
    low, high = HOUSEHOLDS_RANGE
    if isinstance(households, bool) or not isinstance(households, int) or not low <= households <= high:
        raise InvalidInput(
            f"households must be a whole number from {low} to {high}, got {households!r}", field="households"
        )


def current_build() -> DemoBuild | None:
    return DemoBuild.objects.order_by("-built_at", "-pk").first()


def delete_demo() -> None:
    """Remove every row the demo made (origins stay: they are shared reference data)."""
    users = User.objects.filter(username__startswith=USERNAME_PREFIX)
    hubs = Hub.objects.filter(vacant_space__external_id__startswith=EXTERNAL_ID_PREFIX)
    Courier.objects.filter(Q(user__in=users) | Q(home_hub__in=hubs)).delete()
    delete_vouchers()  # its holds point at the orders, its wallets at the people
    delete_trade(users, hubs, Product.objects.filter(merchant__slug__in=[spec.slug for spec in MERCHANTS]))
    hubs.delete()
    VacantSpace.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX).delete()
    delete_population_grid()
    slugs = [spec.slug for spec in MERCHANTS]
    Product.objects.filter(merchant__slug__in=slugs).delete()
    Merchant.objects.filter(slug__in=slugs).delete()
    # The demo resident's home came from sign-up, not from the demo source.
    homes = list(
        Household.objects.filter(members__in=users).exclude(source=SOURCE).values_list("pk", flat=True)
    )
    User.objects.filter(Q(household__source=SOURCE) | Q(household__in=homes)).update(household=None)
    Household.objects.filter(Q(source=SOURCE) | Q(pk__in=homes)).delete()
    users.delete()
    DemoBuild.objects.all().delete()


def keep_resident_verified() -> None:
    """Verifications expire; a reused demo city re-verifies its resident at home."""
    user = User.objects.filter(username=login_for(Role.RESIDENT).username).select_related("household").first()
    if user is not None and user.household is not None and current_verification(user) is None:
        verify_neighbourhood(user, lat=user.household.lat, lng=user.household.lng)


def build_demo(
    *, seed: int, households: int = DEFAULT_HOUSEHOLDS, force: bool = False, progress: Progress | None = None
) -> BuildOutcome:
    """Build the demo city for `seed`, or reuse the one already here when it was built with
    the same seed and scale. Another demo city in the way needs `force` (Conflict otherwise)."""
    _check(seed, households)
    existing = current_build()
    if existing is not None and not force:
        same = (existing.seed, existing.households, existing.generator_version) == (
            seed,
            households,
            GENERATOR_VERSION,
        )
        if same:
            keep_resident_verified()
            return BuildOutcome(build=existing, reused=True)
        raise Conflict(
            f"this database holds a demo city built with seed {existing.seed}, {existing.households} "
            f"households (generator version {existing.generator_version}); use --force to replace it",
            field="seed",
        )
    started = time.perf_counter()
    now = timezone.now()
    step = progress or (lambda _: None)
    # Independent streams: changing the household count does not reshuffle the catalogue.
    rng = {
        part: np.random.default_rng(s)
        for part, s in zip(
            ("households", "spaces", "hubs", "catalogue", "couriers", "stock", "vouchers"),
            np.random.SeedSequence(seed).spawn(7),
            strict=True,
        )
    }
    step(STEPS[0])
    delete_demo()
    step(STEPS[1])
    city = load_city()
    step(STEPS[2])
    homes = create_households(city, households, rng["households"])
    step(STEPS[3])
    create_population_grid(city, homes)
    step(STEPS[4])
    spaces = create_spaces(city, homes, rng["spaces"], timezone.localdate())
    step(STEPS[5])
    groups = ensure_roles()
    users = create_demo_users(groups)
    step(STEPS[6])
    merchants = create_catalogue(city, rng["catalogue"])
    make_owner(next(m for m in merchants if m.slug == DEMO_MERCHANT_SLUG), users[Role.MERCHANT_STAFF])
    step(STEPS[7])
    hubs = open_hubs(
        city, pick_spaces(homes, spaces, rng["hubs"]), users[Role.PLATFORM_ADMIN], users[Role.HUB_OPERATOR]
    )
    step(STEPS[8])
    create_couriers(hubs, users[Role.COURIER], groups[Role.COURIER], rng["couriers"])
    step(STEPS[9])
    stock_and_history(hubs, merchants, groups[Role.RESIDENT], rng["stock"], now=now)
    step(STEPS[10])
    open_slots(hubs, now=now)
    step(STEPS[11])
    build_vouchers(city.district, users[Role.RESIDENT], users[Role.PROGRAMME_ADMIN], rng["vouchers"], now=now)
    build = DemoBuild.objects.create(
        seed=seed,
        households=households,
        generator_version=GENERATOR_VERSION,
        seconds=round(time.perf_counter() - started, 2),
    )
    return BuildOutcome(build=build, reused=False)
