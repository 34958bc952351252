"""manage.py export_ledger: the history, with a signed head, for anyone to check offline."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.ledger import heads
from claims.ledger.exports import history_lines


class Command(BaseCommand):
    help = (
        "Write the latest signed tree head and every change record it covers as JSON Lines, "
        "for verifier/claimtracker_verify.py history FILE. FILE '-' writes to stdout."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Where to write the export ('-' for stdout).")

    def handle(self, *args: object, file: str, verbosity: int, **options: object) -> None:
        try:
            head = heads.latest()
        except heads.NoSigningKey as error:
            raise CommandError(str(error)) from None
        if file == "-":
            for line in history_lines(head):
                self.stdout.write(line, ending="")
            return
        try:
            with Path(file).open("w", encoding="utf-8") as out:
                out.writelines(history_lines(head))
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error}") from None
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{head.size} change records and their signed head written to {file}."
                )
            )
