"""The open hubs: four vacant spaces converted to mixed-use hubs that cover the district."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import time

import numpy as np
import numpy.typing as npt

from hyperlocal.accounts.models import User
from hyperlocal.geo import Point, haversine_m
from hyperlocal.hubs.models import CourierMode, Hub, Zone
from hyperlocal.hubs.services import add_zone, create_hub, set_opening_hours
from hyperlocal.planning.models import VacantSpace
from hyperlocal.simulation.demo.city import City
from hyperlocal.simulation.demo.households import Homes
from hyperlocal.simulation.demo.people import DEMO_HOME

HUB_COUNT = 4
# A hub needs room for a warehouse plus the community side of the concept.
MIN_HUB_AREA_M2 = 300
OPENING_HOURS = [(day, time(7, 0), time(0, 0)) for day in range(7)]  # 07:00-24:00 daily
KMEANS_ROUNDS = 30
OPERATED = 2  # hubs the demo operator runs


def distance_to_demo_home(place: VacantSpace | Hub) -> float:
    return haversine_m(Point(place.lat, place.lng), DEMO_HOME)


Array = npt.NDArray[np.float64]


def _xy(lat: Array, lng: Array) -> Array:
    """Local planar metres (equirectangular around Mapo): fine at district scale."""
    lat0 = math.radians(37.56)
    return np.column_stack([lng * 111_195.0 * math.cos(lat0), lat * 111_195.0])


def centres(homes: Homes, k: int, rng: np.random.Generator) -> Array:
    """k-means on the homes, seeded by farthest-point picks from a random home."""
    xy = _xy(homes.lat, homes.lng)
    chosen = [xy[int(rng.integers(len(xy)))]]
    for _ in range(1, k):
        d = np.min([np.sum((xy - c) ** 2, axis=1) for c in chosen], axis=0)
        chosen.append(xy[int(np.argmax(d))])
    c = np.array(chosen)
    for _ in range(KMEANS_ROUNDS):
        label = np.argmin(((xy[:, None, :] - c[None, :, :]) ** 2).sum(axis=2), axis=1)
        c = np.array([xy[label == j].mean(axis=0) if np.any(label == j) else c[j] for j in range(k)])
    return c


def suitable(space: VacantSpace) -> bool:
    return (
        space.can_warehouse
        and space.can_community
        and space.can_popup
        and space.floor_area_m2 >= MIN_HUB_AREA_M2
    )


def pick_spaces(homes: Homes, spaces: list[VacantSpace], rng: np.random.Generator) -> list[VacantSpace]:
    """For each cluster centre of the homes, the nearest suitable space not already taken."""
    candidates = [s for s in spaces if suitable(s)]
    if len(candidates) < HUB_COUNT:
        raise ValueError(f"only {len(candidates)} vacant spaces can hold a hub; {HUB_COUNT} are needed")
    where = _xy(np.array([s.lat for s in candidates]), np.array([s.lng for s in candidates]))
    taken: list[VacantSpace] = []
    # East to west, so that names and operators come out in a stable order.
    for centre in sorted(centres(homes, HUB_COUNT, rng), key=lambda c: -c[0]):
        order = np.argsort(((where - centre) ** 2).sum(axis=1), kind="stable")
        taken.append(next(candidates[i] for i in order if candidates[i] not in taken))
    return taken


@dataclass(frozen=True)
class ZonePlan:
    kind: str
    name: str
    area_m2: int
    capacity: int


def zone_plan(space: VacantSpace) -> list[ZonePlan]:
    """Split the floor: warehouse about 55 %, then community room, pop-up bays and stay
    rooms where the space can hold them; the rest is circulation, packing and staff."""
    area = space.floor_area_m2
    warehouse = area * 55 // 100
    zones = [ZonePlan(Zone.Kind.WAREHOUSE, "창고 Warehouse", warehouse, warehouse * 2)]  # bins
    if space.can_community:
        room = max(area * 15 // 100, 20)
        zones.append(ZonePlan(Zone.Kind.COMMUNITY_ROOM, "커뮤니티룸 Community room", room, room // 2))
    if space.can_popup:
        share = area * 15 // 100
        bays = max(1, min(6, share // 20))
        zones += [
            ZonePlan(Zone.Kind.POPUP_BAY, f"팝업 베이 {n} Pop-up bay {n}", share // bays, 1)
            for n in range(1, bays + 1)
        ]
    if space.can_stay:
        share = area * 10 // 100
        rooms = max(1, min(4, share // 20))
        zones += [
            ZonePlan(Zone.Kind.STAY_ROOM, f"스테이 {n} Stay room {n}", share // rooms, 2)
            for n in range(1, rooms + 1)
        ]
    return [z for z in zones if z.area_m2 > 0]


def _names(city: City, spaces: list[VacantSpace]) -> list[tuple[str, str]]:
    """("망원 허브 Mangwon Hub", "mangwon-hub"); when two hubs are in dongs of one name
    (망원1동, 망원2동), both carry the dong's number ("망원2 허브 Mangwon 2 Hub")."""
    dongs = [city.dong_of(space.region_id) for space in spaces]
    shorts = [d.short_ko for d in dongs]
    names: list[tuple[str, str]] = []
    for n, dong in enumerate(dongs):
        ko, en = dong.short_ko, dong.short_en
        if shorts.count(ko) > 1:
            suffix = dong.number or str(n + 1)
            ko, en = f"{ko}{suffix}", f"{en} {suffix}"
        names.append((f"{ko} 허브 {en} Hub", f"{en.lower().replace(' ', '-')}-hub"))
    return names


def open_hubs(city: City, spaces: list[VacantSpace], admin: User, operator: User) -> list[Hub]:
    """Convert the spaces into open hubs through the hubs services (which compute each
    service area); the demo operator runs the two nearest the demo resident's home, so that
    the resident's orders land on the operator's board."""
    operated = set(sorted(range(len(spaces)), key=lambda i: distance_to_demo_home(spaces[i]))[:OPERATED])
    hubs = []
    for n, (space, (name, slug)) in enumerate(zip(spaces, _names(city, spaces), strict=True)):
        hub = create_hub(
            admin,
            name=name,
            slug=slug,
            address=space.address,
            lat=space.lat,
            lng=space.lng,
            floor_area_m2=space.floor_area_m2,
            promise_minutes=30,
            prep_minutes=10,
            courier_mode=CourierMode.BIKE.value,
            status=Hub.Status.OPEN.value,
            operators=[operator] if n in operated else [],
            vacant_space=space,
        )
        for zone in zone_plan(space):
            add_zone(admin, hub, kind=zone.kind, name=zone.name, area_m2=zone.area_m2, capacity=zone.capacity)
        set_opening_hours(admin, hub, OPENING_HOURS)
        hubs.append(hub)
    return hubs
