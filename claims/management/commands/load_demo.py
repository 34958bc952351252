"""manage.py load_demo: load the running example (the 2017 Idlib claim and denial)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from claims.devdata.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the running example of the design: the White Helmets' Idlib casualty figure as "
        "relayed by Reuters and RT, the Russian Defence Ministry's denial and counter-claims. "
        "Safe to run again: rows that exist are left as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be added; write nothing."
        )

    def handle(self, *args: object, dry_run: bool, verbosity: int, **options: object) -> None:
        created = load_demo(dry_run=dry_run)
        verb = "Would add" if dry_run else "Added"
        if verbosity >= 2:
            for name, count in sorted(created.items()):
                self.stdout.write(f"  {name}: {count}")
        if created:
            total = sum(created.values())
            self.stdout.write(self.style.SUCCESS(f"{verb} {total} demo rows."))
        else:
            self.stdout.write(self.style.SUCCESS("The demo data is already loaded; nothing added."))
