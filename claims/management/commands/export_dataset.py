"""manage.py export_dataset: write the whole record as a dataset (JSON Lines, natural keys)."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from claims.exchange.dataset import export_dataset
from claims.management.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Write every actor, document, incident, claim and response as JSON Lines with natural "
        "keys (slugs and uids), in a stable order: exporting, importing into an empty database "
        "and exporting again gives the same bytes. Writes to stdout unless -o is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, help="Write to this file, not stdout.")

    def handle(self, *args: object, output: Path | None, verbosity: int, **options: object) -> None:
        # The bar goes to stderr, and only when the data goes to a file or stderr is a terminal.
        show = verbosity if (output or sys.stderr.isatty()) else 0
        bar = ProgressBar(self.stderr, "Exporting", verbosity=show)
        if output is None:
            count = export_dataset(out=self.stdout, progress=bar)
        else:
            with output.open("w", encoding="utf-8", newline="\n") as out:
                count = export_dataset(out=out, progress=bar)
        if output is not None and verbosity >= 1:
            self.stderr.write(self.style.SUCCESS(f"Wrote {count} records to {output}."))
