"""The history as a file anyone can check: a signed head, then every change record it covers,
one JSON object per line (verifier/claimtracker_verify.py history FILE)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from claims.ledger import heads
from claims.models.history import ChangeRecord
from claims.models.ledger import SignedHead, TreeNode

# Every field the chain hash covers, and the id the tree's leaf names.
RECORD_FIELDS = ["id", "table_name", "record_id", "operation", "user_id", "context"]
RECORD_FIELDS += ["recorded_at", "state_before", "state_after", "prev_hash", "hash"]
RECORD_FIELDS += ["claimed_user_id", "txid", "attribution"]


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def covered(head: SignedHead) -> Iterator[dict]:
    """The change records the head's tree holds, in order, as the export writes them."""
    last = TreeNode.objects.filter(level=0, position=head.size - 1).values_list("record_id")
    last_id = last.first()
    if not head.size or last_id is None:
        return
    rows = ChangeRecord.objects.filter(id__lte=last_id[0]).order_by("id")
    yield from rows.values(*RECORD_FIELDS).iterator(chunk_size=5000)


def history_lines(head: SignedHead) -> Iterator[str]:
    yield _dumps({"type": "head", **heads.as_json(head)}) + "\n"
    for record in covered(head):
        yield _dumps(record) + "\n"
