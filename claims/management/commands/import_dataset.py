"""manage.py import_dataset FILE: validate a dataset whole, then import it in one transaction."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.exchange import files
from claims.exchange.dataset import Rows
from claims.exchange.importer import import_rows
from claims.exchange.package_reader import members_of_directory, read_package, read_stream
from claims.management.progress import ProgressBar
from claims.record.workflow import OPERATOR


class Command(BaseCommand):
    help = (
        "Import a dataset: JSON Lines as export_dataset writes, CSV, or a data package (a "
        "directory or .zip with datapackage.json, export_dataset --format datapackage). Every "
        "row is checked "
        "first; if any is bad, each bad row is listed with its line number and nothing is "
        "written. Rows already in the database are left alone, so a second import adds nothing."
    )

    # No system checks first, as Django's dumpdata and loaddata: they import every URL
    # configuration, admin and schema, which doubled the peak memory of a data command.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            type=Path,
            help="The dataset: .jsonl, .csv, or a data package (directory or .zip).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and report; write nothing."
        )

    def handle(
        self, *args: object, file: Path, dry_run: bool, verbosity: int, **options: object
    ) -> None:
        rows: Rows
        try:
            with ExitStack() as opened:
                if file.is_dir():
                    rows, errors = read_package(members_of_directory(file))
                else:
                    files.check_size(file.stat().st_size)
                    # Read again for each pass, a line at a time: a file is never held whole
                    # (a zipped package is: claims.exchange.package_reader.read_stream).
                    stream = opened.enter_context(file.open("rb"))
                    rows, errors = read_stream(stream, name=file.name)
                outcome = None
                if not errors:
                    outcome = import_rows(
                        rows,
                        # Whoever runs manage.py holds every permission; the history says
                        # "command".
                        by=OPERATOR,
                        context="command",
                        dry_run=dry_run,
                        validated=ProgressBar(self.stderr, "Checking ", verbosity=verbosity),
                        imported=ProgressBar(self.stderr, "Importing", verbosity=verbosity),
                    )
                    errors = outcome.errors
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}") from None
        except files.UnreadableFile as refusal:
            raise CommandError(
                f"Cannot import {file}: {refusal.message}; nothing was imported."
            ) from None
        if errors:
            for bad in errors:
                where = f"{bad['file']} line" if bad.get("file") else "line"
                self.stderr.write(self.style.ERROR(f"{where} {bad['line']}: {bad['reason']}"))
            raise CommandError(f"{len(errors)} bad rows in {file}; nothing was imported.")
        assert outcome is not None  # no errors: the rows were checked (and written)
        if dry_run:
            if verbosity >= 1:
                self.stdout.write(self.style.SUCCESS(f"All {len(rows)} rows are valid (dry run)."))
            return
        if verbosity >= 2:
            for name, count in sorted(outcome.created.items()):
                self.stdout.write(f"  {name}: {count}")
        total = sum(outcome.created.values())
        message = f"Imported {len(rows)} rows: {total} new database rows."
        if not total:
            message = f"All {len(rows)} rows were already in the database; nothing added."
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(message))
