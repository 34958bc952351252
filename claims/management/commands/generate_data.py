"""manage.py generate_data: fill the database with synthetic records for benchmarks."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.devdata.synthetic import Plan, generate
from claims.management.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Add N synthetic claims (marked [synthetic]) with actors (N/20), documents (N/10), "
        "incidents (N/50), figures, attribution chains, responses, accused actors and evidence, "
        "skewed like real data. Rows go in with COPY on PostgreSQL (then ANALYZE), bulk_create "
        "elsewhere; the history records them like any other change. "
        "Safe to run again (adds another set)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--claims", type=int, required=True, help="How many claims to add.")
        parser.add_argument("--seed", type=int, default=2017, help="Random seed (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be added.")

    def handle(
        self, *args: object, claims: int, seed: int, verbosity: int, **options: object
    ) -> None:
        if claims < 1:
            raise CommandError("--claims must be at least 1.")
        plan = Plan(claims=claims, seed=seed)
        if options["dry_run"]:
            self.stdout.write(
                f"Would add {claims} claims, {plan.actors} actors, {plan.documents} documents "
                f"and {plan.incidents} incidents, with figures, chains and responses."
            )
            return
        started = time.monotonic()
        counts = generate(
            claims=claims,
            seed=seed,
            progress=ProgressBar(self.stderr, "claims", verbosity=verbosity),
        )
        seconds = time.monotonic() - started
        if verbosity >= 1:
            summary = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(self.style.SUCCESS(f"Added {summary} in {seconds:.0f} s."))
