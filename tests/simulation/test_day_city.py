"""The synthetic city: homes in Mapo-gu's dongs and hub sites among them, seeded."""

from __future__ import annotations

import numpy as np

from hyperlocal.geo import haversine_m
from hyperlocal.simulation.day import disc_city, hub_sites, mapo_city
from hyperlocal.simulation.demo.river import on_land


def test_mapo_city_keeps_homes_on_land_in_the_district() -> None:
    city = mapo_city(600, 4, np.random.default_rng(1), on_land)
    assert len(city.homes) == 600
    assert len(city.hub_sites) == 4
    assert all(on_land(p) for p in city.homes)
    assert all(37.53 < p.lat < 37.59 and 126.85 < p.lng < 126.97 for p in city.homes)
    assert set(city.hub_sites) <= set(city.homes)  # a hub stands where a building is
    assert mapo_city(600, 4, np.random.default_rng(1), on_land) == city


def test_hub_sites_spread_over_the_homes() -> None:
    city = disc_city(800, 3, np.random.default_rng(2), radius_m=3000)
    sites = hub_sites(city.homes, 3, np.random.default_rng(2))
    gaps = [haversine_m(a, b) for i, a in enumerate(sites) for b in sites[i + 1 :]]
    assert min(gaps) > 1500  # k-means centres, not a cluster in one corner
    assert [p.lng for p in sites] == sorted(p.lng for p in sites)
