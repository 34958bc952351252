"""What every export names and reads in: the signed tree head, and one snapshot of the record.

The history as a file anyone can check: a signed head, then every change record it covers,
one JSON object per line (verifier/claimtracker_verify.py history FILE).

``snapshot()`` is the view every export reads: on PostgreSQL a REPEATABLE READ, READ ONLY
transaction, in which every query sees the database as it stood at the first one, however
long the export runs and whatever commits meanwhile; the head is read in it, so the data is
exactly the state of the history up to the head's size. SQLite's transactions are
serializable: a reader's view does not change while its transaction lasts (in WAL mode it
reads a snapshot; otherwise writers wait for it to end). Inside a transaction a caller has
open already, the export reads in that one, whose isolation was chosen when it began.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.models import Subquery

from claims.ledger import heads, tree
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


@dataclass
class HeadView:
    """The head an export names: ``record`` as written, ``head`` the signed head (unsaved when
    signed for this export, None when no key is configured)."""

    head: SignedHead | None
    record: dict[str, Any]

    def keep(self) -> None:
        """Store a head signed for the export (after its read-only snapshot), so that later
        consistency proofs can start from it."""
        if self.head is not None and self.head.pk is None:
            self.head.save()


UNSIGNED = "not signed: this server has no ledger signing key (LEDGER_SIGNING_KEY)"


def last_record(size: int) -> dict[str, Any] | None:
    """The change record that is the last leaf of the tree at ``size``: its id, hash and time."""
    if not size:
        return None
    leaf = TreeNode.objects.filter(level=0, position=size - 1).values("record_id")
    found = ChangeRecord.objects.filter(id=Subquery(leaf[:1])).values("id", "hash", "recorded_at")
    row = found.first()
    return None if row is None else dict(row)


def view_of(size: int) -> HeadView:
    """The signed head of the tree at ``size`` leaves: a stored one, or one signed now; and
    the change record it ends with."""
    last = {"record": last_record(size)}
    try:
        key = heads.key_id(heads.public_key_hex())
    except heads.NoSigningKey:
        root = tree.root(size).hex()
        record = {"type": "head", "tree_size": size, "root_hash": root, "timestamp": None}
        record |= {"signature": None, "key_id": None, "public_key": None, "signed_text": None}
        return HeadView(None, record | last | {"unsigned": UNSIGNED})
    stored = SignedHead.objects.filter(size=size, key_id=key).order_by("-id").first()
    head = stored or heads.signed(size)
    return HeadView(head, {"type": "head", **heads.as_json(head), **last})


def head_at(record_id: int) -> HeadView:
    """The head of the tree that ends with change record ``record_id``."""
    leaf = tree.leaf_of(record_id)
    return view_of(0 if leaf is None else leaf + 1)


@contextmanager
def snapshot(using: str = "default") -> Iterator[HeadView]:
    """Run the block in one consistent, read-only view of the database; yield its head.

    Call ``keep()`` on the view after the block, to store a head signed for it."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield view_of(tree.size())
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The first statement of the transaction, before any query takes a snapshot.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield view_of(tree.size())


_END = object()


class SnapshotStream:
    """A streamed export read in one snapshot, on a database connection of its own.

    A streamed response is read after its view has returned, while middleware and the
    request's other queries use the request's connection: so the export runs in a thread
    with its own connection, in its own snapshot transaction, handing chunks over through a
    small queue (memory stays flat; a client that stops reading stops it). The tree head is
    read first in that snapshot, so ``label`` names exactly the state the stream holds.
    Inside a transaction the caller has open (a test's), the stream reads in that one instead,
    in the caller's thread: a new connection could not see its rows.
    """

    def __init__(self, produce: Callable[[], Iterable[str]], using: str = "default") -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=64)
        self._stopped = threading.Event()
        self._produce, self._using = produce, using
        if connections[using].in_atomic_block:
            self.label, self._inline = tree.head_label(), True
            return
        self._inline = False
        threading.Thread(target=self._run, name="snapshot-export", daemon=True).start()
        first = self._queue.get()
        if isinstance(first, BaseException):
            raise first
        self.label = str(first)

    def _put(self, item: object) -> bool:
        while not self._stopped.is_set():
            try:
                self._queue.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            with snapshot(self._using):
                if not self._put(tree.head_label()):
                    return
                for chunk in self._produce():
                    if not self._put(chunk):
                        return
            self._put(_END)
        except BaseException as error:  # the reader raises it, in the request's thread
            self._put(error)
        finally:
            connections.close_all()

    def __iter__(self) -> Iterator[str]:
        if self._inline:
            yield from self._produce()
            return
        while (item := self._queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield str(item)

    def close(self) -> None:
        """Called by Django when the response is closed, read to its end or not."""
        self._stopped.set()
