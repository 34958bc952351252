"""manage.py verify_archives: re-hash every archived file now, as the daily beat task does."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.jobs.archiving import rehash_archives
from claims.management.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Re-hash every archived document and evidence file and flag those whose bytes no longer "
        "match their recorded SHA-256 (or that are missing). Exits with an error if any is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report mismatches; flag and record nothing."
        )

    def handle(self, *args: object, dry_run: bool, verbosity: int, **options: object) -> None:
        bar = ProgressBar(self.stderr, "Re-hashing", verbosity=verbosity)
        check = rehash_archives(dry_run=dry_run, progress=bar)
        summary = (
            f"{check.checked} archived files checked: {check.intact} intact, "
            f"{check.mismatched} altered, {check.missing} missing."
        )
        if check.mismatched or check.missing:
            raise CommandError(summary + (" (dry run: nothing flagged)" if dry_run else ""))
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(summary))
