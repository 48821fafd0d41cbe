"""What the demo city holds: the figures `build_demo` prints at the end."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Sum

from hyperlocal.accounts.models import Household
from hyperlocal.catalog.models import Merchant, Origin, Product
from hyperlocal.dispatch.models import Courier
from hyperlocal.geo import Point, cell_centre, cell_of
from hyperlocal.hubs.models import Hub, ServiceAreaCell
from hyperlocal.planning.models import VacantSpace
from hyperlocal.regions.models import Region
from hyperlocal.regions.services import MAPO_CODE
from hyperlocal.simulation.demo.catalogue import MERCHANTS
from hyperlocal.simulation.demo.households import SOURCE
from hyperlocal.simulation.demo.spaces import EXTERNAL_ID_PREFIX


@dataclass(frozen=True)
class HubFigures:
    name: str
    slug: str
    dong: str
    floor_area_m2: int
    zones: int
    zoned_m2: int
    service_cells: int
    households_covered: int


@dataclass(frozen=True)
class Summary:
    dongs: int
    households: int
    people: int
    vacant_spaces: int
    hubs: list[HubFigures]
    households_covered: int  # by at least one hub
    merchants: int
    products: int
    specialties: int
    origins: int
    couriers: int

    def share(self, households: int) -> float:
        return households / self.households if self.households else 0.0


def _service_cell(home_cell: str) -> str:
    # Home cells and service areas may use different resolutions; compare at the latter.
    if settings.NEIGHBOURHOOD_RESOLUTION == settings.SERVICE_AREA_RESOLUTION:
        return home_cell
    return cell_of(cell_centre(home_cell), settings.SERVICE_AREA_RESOLUTION)


def demo_summary() -> Summary:
    homes = Household.objects.filter(source=SOURCE)
    per_cell = {
        _service_cell(row["home_cell"]): row["n"]
        for row in homes.values("home_cell").annotate(n=Count("pk")).order_by()
    }
    hubs = list(
        Hub.objects.filter(vacant_space__external_id__startswith=EXTERNAL_ID_PREFIX)
        .select_related("region")
        .annotate(zone_count=Count("zones", distinct=True), zoned=Sum("zones__area_m2"))
        .order_by("name")
    )
    covered: set[str] = set()
    figures = []
    for hub in hubs:
        cells = set(ServiceAreaCell.objects.filter(hub=hub).values_list("cell", flat=True))
        covered |= cells
        figures.append(
            HubFigures(
                name=hub.name,
                slug=hub.slug,
                dong=hub.region.name_ko,
                floor_area_m2=hub.floor_area_m2,
                zones=hub.zone_count,
                zoned_m2=hub.zoned or 0,
                service_cells=len(cells),
                households_covered=sum(n for cell, n in per_cell.items() if cell in cells),
            )
        )
    products = Product.objects.filter(merchant__slug__in=[m.slug for m in MERCHANTS])
    return Summary(
        dongs=Region.objects.filter(parent__code=MAPO_CODE).count(),
        households=homes.count(),
        people=homes.aggregate(n=Sum("size"))["n"] or 0,
        vacant_spaces=VacantSpace.objects.filter(external_id__startswith=EXTERNAL_ID_PREFIX).count(),
        hubs=figures,
        households_covered=sum(n for cell, n in per_cell.items() if cell in covered),
        merchants=Merchant.objects.filter(slug__in=[m.slug for m in MERCHANTS]).count(),
        products=products.count(),
        specialties=products.filter(origin__isnull=False).count(),
        origins=Origin.objects.filter(products__in=products).distinct().count(),
        couriers=Courier.objects.filter(home_hub__in=hubs).count(),
    )


def home_is_served(point: Point) -> bool:
    """Does some demo hub's service area hold this point?"""
    return ServiceAreaCell.objects.filter(
        cell=cell_of(point, settings.SERVICE_AREA_RESOLUTION),
        hub__vacant_space__external_id__startswith=EXTERNAL_ID_PREFIX,
    ).exists()
