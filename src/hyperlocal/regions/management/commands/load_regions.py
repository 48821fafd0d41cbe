"""`hyperlocal load_regions`: Mapo-gu from the package data, or another district from files."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hyperlocal.errors import DomainError
from hyperlocal.imports import ImportFailed
from hyperlocal.regions import services
from hyperlocal.regions.models import Region


class Command(BaseCommand):
    help = (
        "Load administrative regions and their H3 cells. Without options: Mapo-gu (Seoul) from the "
        "shipped public data. With --geojson: another district from a FeatureCollection of its dongs "
        "(properties adm_cd2 = 10-digit code, adm_nm = name) and optionally a statistics CSV "
        "(adm_code, name_ko, name_en, lat, lng, population, households)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--geojson", type=Path, help="dong boundaries (GeoJSON FeatureCollection)")
        parser.add_argument("--csv", type=Path, help="dong statistics CSV (optional with --geojson)")
        parser.add_argument("--code", help="district code, e.g. 11440 (required with --geojson)")
        parser.add_argument("--name-ko", help="Korean name of the district (required with --geojson)")
        parser.add_argument("--name-en", default="", help="English name of the district")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["geojson"] is None:
                if any(options[k] for k in ("csv", "code", "name_ko", "name_en")):
                    raise CommandError("--csv, --code, --name-ko and --name-en go with --geojson")
                district = services.load_mapo()
            else:
                district = self._load_files(options)
        except ImportFailed as exc:
            lines = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(f"nothing was loaded: {len(exc.errors)} problem(s):\n{lines}") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        dongs = Region.objects.filter(parent=district).count()
        cells = len(services.region_cells(district))
        self.stdout.write(self.style.SUCCESS(f"{district} ({district.code}): {dongs} dongs, {cells} cells"))

    def _load_files(self, options: dict[str, Any]) -> Region:
        code, name_ko = options["code"], options["name_ko"]
        if not code or not str(code).isdigit():
            raise CommandError("--code is required with --geojson and must be digits, e.g. 11440")
        if not name_ko:
            raise CommandError("--name-ko is required with --geojson")
        try:
            dongs = json.loads(_read(options["geojson"], "--geojson"))
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"--geojson: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from None
        stats = services.parse_dong_stats(_read(options["csv"], "--csv")) if options["csv"] else {}
        return services.import_district(
            code=code, name_ko=name_ko, name_en=options["name_en"] or "", dongs=dongs, stats=stats
        )


def _read(path: Path, option: str) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CommandError(f"{option}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{option}: {path} is not UTF-8 text") from None
