"""manage.py verify_integrity: check the history chain, the record against it, and the head."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.ledger.verify import (
    Report,
    chain_head,
    verify_archived_files,
    verify_chain,
    verify_current_state,
    verify_head,
    verify_signed_head,
    verify_timestamps,
    verify_tree,
)


class Command(BaseCommand):
    help = (
        "Walk the hash-chained history and name the first change record that no longer matches; "
        "check that every recorded row is in the state its history says and every archived file "
        "still has its SHA-256; optionally check an exported chain head. Exits non-zero when "
        "anything fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--export-head",
            metavar="FILE",
            help="Write the current chain head (id, hash, time) as JSON to FILE ('-' for stdout).",
        )
        parser.add_argument(
            "--expect-head",
            metavar="FILE",
            help="Also check that the history still holds the head exported earlier to FILE: "
            "a chain head (--export-head) or a signed tree head (GET /api/v1/ledger/head/).",
        )

    def handle(self, *args: object, verbosity: int, **options: object) -> None:
        report = Report()
        if options["expect_head"]:
            head = self._read_head(Path(str(options["expect_head"])))
            if "tree_size" in head:
                verify_signed_head(report, head)
            else:
                verify_head(report, head)
        verify_chain(report)
        verify_tree(report)
        verify_current_state(report)
        verify_archived_files(report)
        verify_timestamps(report)
        if verbosity >= 1:
            self.stdout.write(
                f"Checked {report.records} change records, {report.rows_checked} rows and "
                f"{report.files_checked} archived files."
            )
            for note in report.notes:
                self.stdout.write(note)
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(self.style.ERROR(problem))
            raise CommandError(f"Integrity check failed: {len(report.problems)} problem(s).")
        if options["export_head"]:
            self._write_head(str(options["export_head"]))
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS("The history chain and the record agree."))

    def _read_head(self, path: Path) -> dict:
        try:
            head = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the exported head {path}: {error}") from None
        chain = isinstance(head, dict) and "id" in head and "hash" in head
        signed = (
            isinstance(head, dict)
            and isinstance(head.get("tree_size"), int)
            and head["tree_size"] >= 0
            and isinstance(head.get("root_hash"), str)
        )
        if not (chain or signed):
            raise CommandError(
                f"{path} is neither an exported chain head (id, hash) nor a signed tree head "
                "(tree_size, root_hash, timestamp, signature)."
            )
        return head

    def _write_head(self, target: str) -> None:
        text = json.dumps(chain_head(), indent=2) + "\n"
        if target == "-":
            self.stdout.write(text, ending="")
        else:
            Path(target).write_text(text, encoding="utf-8")
            self.stdout.write(f"Chain head written to {target}.")
