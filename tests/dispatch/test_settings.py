"""The dispatch lines of settings.py: a bad value stops start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _start(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "hyperlocal.settings", "DEBUG": "1", **extra},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_the_round_time_limit_must_be_positive(value: str) -> None:
    run = _start(DISPATCH_TIME_LIMIT_S=value)
    assert run.returncode != 0
    assert "ImproperlyConfigured: DISPATCH_TIME_LIMIT_S must be a positive number of seconds" in run.stderr


def test_a_positive_time_limit_starts() -> None:
    run = _start(DISPATCH_TIME_LIMIT_S="0.5")
    assert run.returncode == 0, run.stderr
