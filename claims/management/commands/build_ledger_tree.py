"""manage.py build_ledger_tree: take into the Merkle tree the history written before it existed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from claims.ledger import tree


class Command(BaseCommand):
    help = (
        "Append to the history's Merkle tree every change record it does not hold yet (a history "
        "written before the tree existed; migrate does this too). Safe to run any number of "
        "times. On PostgreSQL only the database's owner may write the tree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say how many records would be added."
        )

    def handle(self, *args: object, verbosity: int, dry_run: bool, **options: object) -> None:
        if dry_run:
            self.stdout.write(f"{tree.missing_records()} change records would be added.")
            return
        try:
            added = tree.extend()
        except DatabaseError as error:
            raise CommandError(f"The tree was not extended: {error}") from None
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"{added} change records added; the tree holds {tree.size()}.")
            )
