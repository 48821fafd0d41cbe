"""Queued jobs of site planning (django-tasks): `hyperlocal worker` runs them, tests at once."""

from __future__ import annotations

from django_tasks import task

from hyperlocal.planning.services.plans import execute_plan


@task()
def run_site_plan(plan_id: int) -> str:
    """Run a queued site plan; returns the plan's status (done, failed, or what another worker
    left it at when it was not queued any more)."""
    return str(execute_plan(plan_id).status)
