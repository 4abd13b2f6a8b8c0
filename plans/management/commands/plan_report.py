"""python manage.py plan_report 2027 --period h1 --format pdf [--output path]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.exceptions import DomainError
from plans import report as reports
from plans.selectors import PERIODS


class Command(BaseCommand):
    help = "Write the status report to the culture committee: June (h1) or December (year)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="The plan's year, e.g. 2027.")
        parser.add_argument(
            "--period",
            choices=sorted(PERIODS),
            default="year",
            help="h1 = the June status (1st half); year = the December report (whole year).",
        )
        parser.add_argument(
            "--format", dest="fmt", choices=reports.FORMATS, default="pdf", help="Output format."
        )
        parser.add_argument(
            "--output",
            "-o",
            help="Where to write it (default statusrapport-<year>-<juni|december>.<format>; "
            "'-' writes CSV or HTML to standard output).",
        )

    def handle(
        self, *args: Any, year: int, period: str, fmt: str, output: str | None, **options: Any
    ) -> None:
        if not 2000 <= year <= 2100:
            raise CommandError("The year must have four digits, e.g. 2027.")
        try:
            report = reports.build_report(year=year, period=period)
        except DomainError as error:
            raise CommandError(error.message) from error
        content = reports.render(report, fmt)
        if output == "-":
            if fmt in {"pdf", "xlsx"}:
                raise CommandError("PDF and XLSX cannot go to standard output; give --output.")
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        path = Path(output or f"{report.filename_stem}.{fmt}")
        if path.is_dir():
            path = path / f"{report.filename_stem}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"{report.title}: {path}"))
