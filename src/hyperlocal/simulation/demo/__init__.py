"""The deterministic demo city on Mapo-gu's real dongs (see DESIGN.md, "The demo city").

`build_demo(seed=...)` builds it (or reuses the one already built with that seed),
`DEMO_LOGINS` lists one account per role as (role, username, password)."""

from hyperlocal.simulation.demo.build import (
    DEFAULT_HOUSEHOLDS,
    GENERATOR_VERSION,
    STEPS,
    BuildOutcome,
    build_demo,
    current_build,
    delete_demo,
)
from hyperlocal.simulation.demo.people import DEMO_HOME, DEMO_LOGINS, DemoLogin
from hyperlocal.simulation.demo.summary import Summary, demo_summary

__all__ = [
    "DEFAULT_HOUSEHOLDS",
    "DEMO_HOME",
    "DEMO_LOGINS",
    "GENERATOR_VERSION",
    "STEPS",
    "BuildOutcome",
    "DemoLogin",
    "Summary",
    "build_demo",
    "current_build",
    "delete_demo",
    "demo_summary",
]
