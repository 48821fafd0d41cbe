"""Errors particular to hubs."""

from __future__ import annotations

from hyperlocal.errors import DomainError


class ServiceAreaUnavailable(DomainError):
    """The travel-time model could not answer (e.g. the OSRM server is down), so a service
    area could not be computed; nothing was changed. Answered as 503: retry later."""

    status_code = 503
