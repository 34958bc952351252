"""manage.py custody_bundle evidence|document ID FILE: an item's custody bundle, as a zip."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.ledger import custody, heads
from claims.models import Evidence
from sources.models import Document

MODELS: dict[str, type[Evidence] | type[Document]] = {"evidence": Evidence, "document": Document}


class Command(BaseCommand):
    help = (
        "Write the custody bundle of an evidence item or a document: its archived bytes, every "
        "change record of it with its inclusion proof, a signed tree head and an account in "
        "words (check it with verifier/claimtracker_verify.py bundle FILE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(MODELS))
        parser.add_argument("id", type=int)
        parser.add_argument("file", help="Where to write the zip.")

    def handle(self, *args: object, kind: str, id: int, file: str, **options: object) -> None:
        item = MODELS[kind].objects.filter(pk=id).first()
        if item is None:
            raise CommandError(f"There is no {kind} {id}.")
        try:
            data = custody.bundle(item)
        except heads.NoSigningKey as error:
            raise CommandError(str(error)) from None
        try:
            Path(file).write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Custody bundle of {kind} {id} written to {file}."))
