"""Orders' periodic jobs, run by `hyperlocal worker` (see settings.PERIODIC_JOBS)."""

from __future__ import annotations

from hyperlocal.orders.services.holds import release_expired_holds


def release_expired_cart_holds() -> int:
    """Give the units of expired cart holds back to stock; how many holds were released."""
    return release_expired_holds()
