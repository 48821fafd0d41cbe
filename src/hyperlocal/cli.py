"""The `hyperlocal` console script: Django's management commands under one name.

A command may be spelt with hyphens for underscores (`hyperlocal plan-sites` runs plan_sites)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyperlocal.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    at = 1 if args[:1] == ["help"] else 0  # `hyperlocal help plan-sites` too
    if len(args) > at and not args[at].startswith("-"):
        args[at] = args[at].replace("-", "_")
    execute_from_command_line(["hyperlocal", *args])


if __name__ == "__main__":
    main()
