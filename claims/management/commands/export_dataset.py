"""manage.py export_dataset: write the whole record as a dataset (JSON Lines or a data package)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.exchange.datapackage import export_package
from claims.exchange.dataset import export_dataset
from claims.ledger.rebuild import PARAMETER, point_from
from claims.management.progress import ProgressBar

FORMATS = ["jsonl", "datapackage"]


class Command(BaseCommand):
    help = (
        "Write every actor, document, incident, claim and response with natural keys (slugs "
        "and uids), in a stable order: exporting, importing into an empty database and "
        "exporting again gives the same bytes. --format jsonl (the default) writes JSON Lines "
        "to stdout unless -o is given; --format datapackage writes a Frictionless data package "
        "(one CSV per kind of row and datapackage.json) to the directory or .zip -o names. "
        "Either names the signed tree head the data was read at, in the same snapshot. With "
        "--recorded-by, the dataset as this database held it at that change record (an id, or "
        "an ISO timestamp: the last change record at or before it), rebuilt from the history."
    )

    # No system checks first, as Django's dumpdata and loaddata: they import every URL
    # configuration, admin and schema, which doubled the peak memory of a data command.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", type=Path, help="Write to this file (or directory), not stdout."
        )
        parser.add_argument(
            "--format", choices=FORMATS, default="jsonl", help="jsonl (default) or datapackage."
        )
        parser.add_argument(
            "--recorded-by",
            metavar="ID_OR_TIME",
            help="Export the record as it stood at this change record id or ISO timestamp.",
        )

    def handle(
        self,
        *args: object,
        output: Path | None,
        verbosity: int,
        format: str = "jsonl",
        recorded_by: str | None = None,
        **options: object,
    ) -> None:
        point = None
        if recorded_by is not None:
            try:
                point = point_from(recorded_by)
            except ValidationError as error:
                raise CommandError(error.message_dict[PARAMETER][0]) from None
        if format == "datapackage" and output is None:
            raise CommandError("--format datapackage needs -o DIRECTORY or -o FILE.zip")
        # The bar goes to stderr, and only when the data goes to a file or stderr is a terminal.
        show = verbosity if (output or sys.stderr.isatty()) else 0
        bar = ProgressBar(self.stderr, "Exporting", verbosity=show)
        if format == "datapackage" and output is not None:
            count, _ = export_package(output, progress=bar, recorded_by=point)
        elif output is None:
            count = export_dataset(out=self.stdout, progress=bar, recorded_by=point)
        else:
            with output.open("w", encoding="utf-8", newline="\n") as out:
                count = export_dataset(out=out, progress=bar, recorded_by=point)
        if output is not None and verbosity >= 1:
            self.stderr.write(self.style.SUCCESS(f"Wrote {count} records to {output}."))
        if point is not None and verbosity >= 1:
            self.stderr.write(f"The record at {point.label}, hash {point.hash}.")
