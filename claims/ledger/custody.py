"""A custody bundle: one zip holding what the record knows of one evidence item or document, and
how to check it offline (verifier/claimtracker_verify.py bundle FILE --public-key KEY).

Inside: ``head.json`` (a signed tree head), ``records.jsonl`` (every change record of the item,
all the fields their hashes cover), ``proofs.json`` (each record's inclusion proof in that head's
tree), ``archive/…`` (the archived bytes, when there are any), ``manifest.json`` (each file's
SHA-256, and which file is the archived copy) and ``ACCOUNT.txt``, the story in words: who added
the item, when, through what, each change since, and what the archive holds.

The change records carry every state the item went through, drafts included: a bundle is for
editors and operators (the API gives it to those who read drafts; manage.py custody_bundle).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from claims.ledger import heads, tree
from claims.ledger.exports import RECORD_FIELDS
from claims.ledger.history import history_of
from claims.models import Evidence
from claims.models.history import ChangeRecord
from claims.models.ledger import TrustedTimestamp
from sources.models import Document

Item = Evidence | Document


def warc_name(item: Item, sha256: str) -> str:
    """Where the WARC of ``item``'s capture with these bytes is kept (claims/jobs/warc.py)."""
    return f"archive/warc/{item._meta.db_table}/{item.pk}/{sha256}.warc.gz"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)


def _who(records: list[ChangeRecord]) -> dict[str, str]:
    ids = {r.user_id for r in records if r.user_id}
    users = get_user_model().objects.filter(pk__in=ids)
    return {str(u.pk): u.get_username() for u in users}


def account(
    item: Item,
    records: list[ChangeRecord],
    head: dict,
    archive: str,
    stamps: list[TrustedTimestamp],
) -> str:
    """The bundle's story in words; every sentence says whose record it is."""
    names = _who(records)
    label = f"{item._meta.verbose_name} {item.pk}"

    def by(record: ChangeRecord) -> str:
        user = names.get(record.user_id, f"user {record.user_id}") if record.user_id else "nobody"
        return f"by {user}, through {record.context or 'the database'}"

    lines = [f"Custody of {label}: {item}", ""]
    first = records[0]
    lines.append(f"This server's history records it as added {first.recorded_at} {by(first)}")
    lines.append(f"(change record #{first.pk}).")
    for record in records[1:]:
        columns = ", ".join(c for c, _, _ in record.changes()) or "nothing"
        lines.append(
            f"Change record #{record.pk}, {record.recorded_at}: "
            f"{record.get_operation_display()} {by(record)}; columns: {columns}."
        )
    lines.append("")
    if archive:
        lines.append(
            f"The archived copy, {archive}, was fetched from {item.archive_final_url or item.url}"
            f" at {item.archived_at}; this server recorded its SHA-256 as {item.archive_sha256}."
        )
        lines.append(
            f"{archive}.warc.gz, where present, holds the same capture as a WARC file (request, "
            "response with headers, and a record naming the item) for web-archive tools."
        )
    else:
        lines.append("This server holds no archived copy of it.")
    for kept in stamps:
        lines.append(
            f"timestamps/{kept.pk}.tsr: an RFC 3161 token in which the time-stamping authority "
            f"says it saw these archived bytes at {kept.gen_time} (check it with openssl ts "
            "-verify and the authority's certificate)."
        )
    if not stamps:
        lines.append(
            "No trusted timestamp: this server holds no time-stamping authority's token for it, "
            "so only its own signed head says when it held these records."
        )
    lines.append("")
    lines.append(
        f"Signed tree head: {head['tree_size']} change records, root {head['root_hash']}, "
        f"{head['timestamp']}, Ed25519 key {head['public_key']}."
    )
    lines.append("Check it: python claimtracker_verify.py bundle THIS.zip --public-key KEY")
    return "\n".join(lines) + "\n"


def bundle(item: Item) -> bytes:
    """The custody bundle of ``item`` as zip bytes (raises heads.NoSigningKey without a key)."""
    head = heads.as_json(heads.latest())
    size = head["tree_size"]
    records = [r for r in history_of(item) if (i := tree.leaf_of(r.pk)) is not None and i < size]
    proofs = []
    for record in records:
        index = tree.leaf_of(record.pk)
        assert index is not None
        path = [h.hex() for h in tree.inclusion_proof(index, size)]
        proofs.append(
            {
                "record": record.pk,
                "chain_hash": record.hash,
                "leaf_index": index,
                "tree_size": size,
                "audit_path": path,
            }
        )
    files: dict[str, bytes] = {}
    archive = ""
    stored_name = item.archive_file.name or ""
    if stored_name and default_storage.exists(stored_name):
        archive = f"archive/{PurePosixPath(stored_name).name}"
        with default_storage.open(stored_name, "rb") as stored:
            files[archive] = stored.read()
        warc = warc_name(item, item.archive_sha256)
        if default_storage.exists(warc):
            with default_storage.open(warc, "rb") as stored:
                files[f"archive/{PurePosixPath(warc).name}"] = stored.read()
    stamps = TrustedTimestamp.objects.filter(
        subject=item._meta.db_table, subject_id=item.pk, status=TrustedTimestamp.Status.GOOD
    ).order_by("id")
    for kept in stamps:
        files[f"timestamps/{kept.pk}.tsr"] = bytes(kept.token)
    manifest = {
        "item": f"{item._meta.db_table} {item.pk}",
        "archive": archive,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    }
    lines = "".join(
        json.dumps({f: getattr(r, f) for f in RECORD_FIELDS}, ensure_ascii=False) + "\n"
        for r in records
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("head.json", _dumps(head))
        zipped.writestr("records.jsonl", lines)
        zipped.writestr("proofs.json", _dumps(proofs))
        zipped.writestr("manifest.json", _dumps(manifest))
        zipped.writestr("ACCOUNT.txt", account(item, records, head, archive, list(stamps)))
        for name, data in files.items():
            zipped.writestr(name, data)
    return out.getvalue()
