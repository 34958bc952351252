"""The tamper-evident history: one row per change to a recorded table, hash-chained.

Rows are written only by database triggers (see claims/history.py), so bulk updates, imports and
direct SQL leave a record as surely as an admin save. Each row's ``hash`` is the SHA-256 of the
previous row's hash and this row's stored text, so editing or deleting any row breaks the chain
from that point on, and ``manage.py verify_integrity`` names the first row that no longer matches.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property

from django.db import models

GENESIS_HASH = "0" * 64


class ChangeRecordQuerySet(models.QuerySet):
    """The newest record is the head of the chain: every write extends it, so it names the state
    of the whole record (validators, kept pages and the exported head all read it)."""

    def head(self) -> tuple[int, str]:
        """The head's id and hash, in one indexed look-up; (0, "") for an empty history."""
        return self.order_by("-id").values_list("id", "hash").first() or (0, "")

    def head_column(self) -> models.Subquery:
        """The head's id, as a column another query's first look-up can carry along."""
        return models.Subquery(self.order_by("-id").values("id")[:1])


class ChangeRecord(models.Model):
    class Operation(models.TextChoices):
        INSERT = "INSERT", "created"
        UPDATE = "UPDATE", "changed"
        DELETE = "DELETE", "deleted"

    table_name = models.CharField(max_length=63)
    record_id = models.CharField(max_length=40)
    operation = models.CharField(max_length=6, choices=Operation.choices)
    # Not a foreign key: history must outlive users, and a trigger cannot be refused by one.
    user_id = models.CharField(max_length=20, blank=True)
    context = models.CharField(max_length=40, blank=True)
    # The exact text that was hashed; a timestamp column would be re-formatted on the way out.
    recorded_at = models.CharField(max_length=32)
    state_before = models.TextField(blank=True)
    state_after = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    # Unique, but not through unique=True: migration 0006 holds the rule with an exclusion
    # constraint over a hash index on PostgreSQL (a B-tree over random hashes was the largest
    # cost of bulk writes at scale) and a unique index elsewhere.
    hash = models.CharField(max_length=64)
    # Who the change said it came from when that could not be proven (PostgreSQL): the session
    # named a user but gave no valid attribution for this transaction, so ``user_id`` stays empty.
    claimed_user_id = models.CharField(max_length=20, blank=True, default="", db_default="")
    # The PostgreSQL transaction that made the change, and the application's proof that it acted
    # for ``user_id`` in it: HMAC-SHA256(history key, "user|context|txid"), as hex. Both empty on
    # SQLite and in records written before the proof existed (claims/ledger/postgres.py).
    txid = models.CharField(max_length=20, blank=True, default="", db_default="")
    attribution = models.CharField(max_length=64, blank=True, default="", db_default="")

    objects = ChangeRecordQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            # A record's own history (admin history page, "last changed" on the claim page).
            models.Index(fields=["table_name", "record_id", "id"], name="change_record_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.table_name} {self.record_id} {self.get_operation_display()}"

    def expected_hash(self) -> str:
        """Recompute this row's hash from its stored text, exactly as the trigger built it."""
        parts = [
            self.prev_hash,
            self.table_name,
            self.record_id,
            self.operation,
            self.user_id,
            self.context,
            self.recorded_at,
            self.state_before,
            self.state_after,
        ]
        # Records made before the proof existed, and SQLite's, hash their first nine parts only.
        if self.txid or self.claimed_user_id or self.attribution:
            parts += [self.claimed_user_id, self.txid, self.attribution]
        return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()

    @cached_property
    def before(self) -> dict:
        return json.loads(self.state_before) if self.state_before else {}

    @cached_property
    def after(self) -> dict:
        return json.loads(self.state_after) if self.state_after else {}

    def changes(self) -> list[tuple[str, object, object]]:
        """(column, before, after) for every column whose value differs, in column order."""
        before, after = self.before, self.after
        columns = list(after) + [c for c in before if c not in after]
        return [(c, before.get(c), after.get(c)) for c in columns if before.get(c) != after.get(c)]
