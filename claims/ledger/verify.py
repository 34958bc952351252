"""Checking the record against its history: the chain's links and hashes, every row against
its last change record, every archived file against its SHA-256, and an exported head."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection as default_connection
from django.db import models

from claims.ledger import heads, postgres, timestamps, tree
from claims.ledger.history import history_key, recorded_models, sqlite_row_json
from claims.ledger.postgres import pg_row_image
from claims.models import Evidence
from claims.models.history import GENESIS_HASH, ChangeRecord
from sources.models import Document


@dataclass
class Report:
    records: int = 0
    rows_checked: int = 0
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(report: Report) -> None:
    """Walk the chain in order; name the first row whose link or hash does not match, and every
    row whose attribution does not check out."""
    previous = GENESIS_HASH
    previous_id = None
    attribution = AttributionCheck()
    if attribution.unchecked:
        report.notes.append(
            "Proofs of who acted were checked for presence only: this database role cannot read "
            "the history key and HISTORY_KEY is not set."
        )
    for record in ChangeRecord.objects.order_by("id").iterator(chunk_size=2000):
        report.records += 1
        if problem := attribution.problem(record):
            report.problems.append(problem)
        if record.prev_hash != previous:
            after = f"#{previous_id}" if previous_id else "the start of the chain"
            report.problems.append(
                f"change record #{record.pk} ({record.table_name} {record.record_id}) does not "
                f"follow {after}: a record before it was removed or altered"
            )
            return
        if record.expected_hash() != record.hash:
            report.problems.append(
                f"change record #{record.pk} ({record.table_name} {record.record_id}) no "
                "longer matches its hash: it was altered after it was written"
            )
            return
        previous, previous_id = record.hash, record.pk


class AttributionCheck:
    """On PostgreSQL every record names its transaction, and a record that names a user carries
    the application's proof for it (claims/ledger/postgres.py). Records made before the proof
    existed name no transaction; once one does, every later one must."""

    def __init__(self) -> None:
        self.proving = False
        self.keys: list[str] = []
        if default_connection.vendor == "postgresql":
            current = history_key(default_connection)
            self.keys = [k for k in (current, *settings.HISTORY_PREVIOUS_KEYS) if k]
        self.unchecked = default_connection.vendor == "postgresql" and not self.keys

    def problem(self, record: ChangeRecord) -> str:
        name = f"change record #{record.pk} ({record.table_name} {record.record_id})"
        if not record.txid:
            if self.proving:
                return f"{name} names no transaction: it was not written by the recording trigger"
            return ""
        self.proving = True
        if record.claimed_user_id:
            return (
                f"{name} was claimed for user {record.claimed_user_id} via {record.context} "
                "without the application's proof: the user was set by SQL, not by the "
                "application (or the application's HISTORY_KEY is not the database's)"
            )
        if not record.user_id:
            return ""
        proofs = {postgres.proof(k, record.user_id, record.context, record.txid) for k in self.keys}
        # Without any key (the application role, HISTORY_KEY unset) only its presence is checked.
        if not record.attribution or (proofs and record.attribution not in proofs):
            return (
                f"{name} is attributed to user {record.user_id} but its proof does not check "
                "out: the record was not written by the recording trigger"
            )
        return ""


def _current_rows(model: type[models.Model]) -> dict[str, dict]:
    table = model._meta.db_table
    if default_connection.vendor == "postgresql":
        sql = f'SELECT id::text, {pg_row_image("t")}::text FROM "{table}" t'
    else:
        sql = f'SELECT CAST(id AS TEXT), {sqlite_row_json(model, "t")} FROM "{table}" t'
    with default_connection.cursor() as cursor:
        cursor.execute(sql)
        return {row_id: json.loads(text) for row_id, text in cursor.fetchall()}


def _last_states(table: str) -> dict[str, ChangeRecord]:
    last: dict[str, ChangeRecord] = {}
    for record in ChangeRecord.objects.filter(table_name=table).order_by("id").iterator():
        last[record.record_id] = record
    return last


def verify_current_state(report: Report) -> None:
    """Every row must equal the state its last change record says it was left in."""
    for model in recorded_models():
        table = model._meta.db_table
        current = _current_rows(model)
        last = _last_states(table)
        for row_id, values in current.items():
            report.rows_checked += 1
            record = last.get(row_id)
            if record is None or record.operation == ChangeRecord.Operation.DELETE:
                report.problems.append(f"{table} {row_id} exists but its history does not show it")
                continue
            recorded = record.after
            changed = sorted(c for c in recorded if c in values and values[c] != recorded[c])
            if changed:
                report.problems.append(
                    f"{table} {row_id} differs from change record #{record.pk} in "
                    f"{', '.join(changed)}: it was changed without a history record"
                )
        for row_id, record in last.items():
            if row_id not in current and record.operation != ChangeRecord.Operation.DELETE:
                report.problems.append(
                    f"{table} {row_id} is gone but its history (#{record.pk}) never deleted it"
                )


# The rows that carry an archived copy (the same ``archive_*`` fields on both).
Archivable = Document | Evidence


def archivable_models() -> list[type[Archivable]]:
    """The rows that carry an archived copy of what their URL pointed to."""
    return [Document, Evidence]


def hash_of_stored(name: str | None) -> str | None:
    """The SHA-256 of a stored file, or None when there is no such file."""
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive_problems() -> Iterator[tuple[int, str]]:
    """Read-only: (files checked so far, problem) for every archived copy that no longer
    hashes to its recorded SHA-256 or is gone. Writes nothing."""
    checked = 0
    for model in archivable_models():
        rows = model.objects.exclude(archive_sha256="").exclude(archive_file="").order_by("pk")
        for item in rows.only("pk", "archive_file", "archive_sha256").iterator():
            checked += 1
            actual = hash_of_stored(item.archive_file.name)
            if actual is None:
                yield checked, f"{model._meta.db_table} {item.pk}: archived copy is missing"
            elif actual != item.archive_sha256:
                yield (
                    checked,
                    (
                        f"{model._meta.db_table} {item.pk}: archived copy hashes to {actual}, "
                        f"the record says {item.archive_sha256}"
                    ),
                )
    yield checked, ""


def verify_archived_files(report: Report) -> None:
    """Every archived copy of a document or evidence item must still hash to its SHA-256."""
    for checked, problem in archive_problems():
        report.files_checked = checked
        if problem:
            report.problems.append(problem)


def chain_head() -> dict[str, object]:
    record = ChangeRecord.objects.order_by("-id").first()
    if record is None:
        return {"id": 0, "hash": GENESIS_HASH, "recorded_at": ""}
    return {"id": record.pk, "hash": record.hash, "recorded_at": record.recorded_at}


def verify_head(report: Report, head: dict) -> None:
    """The chain must still hold the exported head, unchanged, with the same hash."""
    if not head.get("id"):
        return
    record = ChangeRecord.objects.filter(pk=head["id"]).first()
    if record is None:
        report.problems.append(f"exported head #{head['id']} is no longer in the history")
    elif record.hash != head.get("hash"):
        report.problems.append(
            f"exported head #{head['id']} had hash {head.get('hash')}, the history now says "
            f"{record.hash}"
        )


def verify_tree(report: Report) -> None:
    """Every leaf of the Merkle tree must be its change record, and every node its children's."""
    for problem in tree.problems():
        report.problems.append(problem)


def verify_signed_head(report: Report, head: dict) -> None:
    """A signed head kept earlier (GET /api/v1/ledger/head/): signed with this server's key, and
    the tree of its size still has its root, whatever was rewritten since."""
    size, root = int(head["tree_size"]), str(head["root_hash"])
    text = heads.signed_text(size, root, str(head.get("timestamp", "")))
    try:
        signed = heads.signature_valid(text, str(head.get("signature", "")))
    except heads.NoSigningKey:
        report.notes.append("The kept head's signature was not checked: no signing key is set.")
        signed = True
    if not signed:
        report.problems.append(f"the kept head of size {size} is not signed with this key")
        return
    current = tree.size()
    if current < size:
        report.problems.append(
            f"the kept head names {size} change records; the tree now holds only {current}"
        )
    elif (now := tree.root(size).hex()) != root:
        report.problems.append(
            f"the tree of {size} change records now has root {now}; the head kept from "
            f"{head.get('timestamp')} says {root}: the history was rewritten before record "
            f"{size} (leaf {size - 1})"
        )


def verify_timestamps(report: Report) -> None:
    """Every good RFC 3161 token must still stamp the bytes it stamped."""
    if not timestamps.enabled():
        report.notes.append("No time-stamping authority is set (TSA_URL): nothing is stamped.")
    report.problems.extend(timestamps.problems())
