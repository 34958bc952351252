"""manage.py set_history_key: store the key that proves who acted in the database (the owner)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction

from claims.ledger import postgres

MIN_LENGTH = 32


class Command(BaseCommand):
    help = (
        "Store HISTORY_KEY (or, with --generate, a new random key, printed once) as the key "
        "PostgreSQL checks the application's proofs of who acted against. Run it as the "
        "database's owner, the role that migrates; give web processes and workers the same key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--generate", action="store_true", help="Make a new random key instead of HISTORY_KEY."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check that the key can be stored; store none."
        )

    def handle(self, *args: object, generate: bool, dry_run: bool, **options: object) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "The history key is PostgreSQL's: on SQLite history records carry no proof."
            )
        key = secrets.token_urlsafe(48) if generate else settings.HISTORY_KEY
        if not key:
            raise CommandError("HISTORY_KEY is not set: set it, or pass --generate.")
        if len(key) < MIN_LENGTH:
            raise CommandError(f"HISTORY_KEY is too short: use at least {MIN_LENGTH} characters.")
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                postgres.set_key(cursor, key)
                if dry_run:
                    transaction.set_rollback(True)
        except DatabaseError as error:
            raise CommandError(
                "This database role may not store the history key: run the command as the "
                f"database's owner (the role that migrates). The database said: {error}"
            ) from None
        if dry_run:
            self.stdout.write("The key can be stored (dry run: nothing stored).")
            return
        if generate:
            self.stdout.write(f"HISTORY_KEY={key}")
        self.stdout.write(
            self.style.SUCCESS(
                "History key stored. Web processes and workers need the same HISTORY_KEY; list "
                "the key it replaced in HISTORY_PREVIOUS_KEYS so that verify_integrity still "
                "checks the records proven with it."
            )
        )
