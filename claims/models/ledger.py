"""The history's Merkle tree, the heads signed over it, and the heads a witness kept.

``TreeNode`` rows are written by the database, beside the history (claims/ledger/tree.py): the
application's role may read them, never write them, so it cannot forge the tree any more than
the history. Signed heads are the application's own statements, made with a key the database
does not hold; a head forged in this table would not carry a valid signature.
"""

from __future__ import annotations

from django.db import models


class TreeNode(models.Model):
    """One perfect subtree: the hash of the 2**level leaves from position * 2**level on.

    Level 0 rows are the leaves, and name the change record each one is.
    """

    pk = models.CompositePrimaryKey("level", "position")
    level = models.PositiveSmallIntegerField()
    position = models.BigIntegerField()
    # Not a foreign key: deleting a change record is tampering that verify_integrity must see,
    # not something a constraint should make impossible to show.
    record_id = models.BigIntegerField(null=True, blank=True)
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            # Inclusion proofs look a record's leaf up by its change record.
            models.UniqueConstraint(
                fields=["record_id"], condition=models.Q(level=0), name="tree_leaf_record_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.position}"


class SignedHead(models.Model):
    """The tree's size and root at a moment, signed with the ledger's Ed25519 key."""

    size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    # The exact text that was signed, in UTC: a datetime column would be re-formatted.
    timestamp = models.CharField(max_length=32)
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # The latest head: GET /api/v1/ledger/head/ and every export.
            models.Index(fields=["-id"], name="signed_head_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"head {self.size} {self.root_hash[:12]}"


class WitnessedHead(models.Model):
    """A head a witness (manage.py ledger_witness) fetched from a server and found consistent
    with the one it kept before."""

    server = models.URLField()
    size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)
    timestamp = models.CharField(max_length=32)
    signature = models.CharField(max_length=128)
    key_id = models.CharField(max_length=64)
    public_key = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The last head kept for a server, the one the next is checked against.
            models.Index(fields=["server", "-id"], name="witnessed_head_last_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.server} at {self.size}"


class TrustedTimestamp(models.Model):
    """An RFC 3161 time-stamp token from the authority named by TSA_URL, for a signed head or an
    archived copy: a third party's word that the stamped bytes existed by ``gen_time``.

    A token that did not verify when it came back is kept as FAILED, with the reason, never as
    GOOD; verify_integrity verifies every GOOD token again against the bytes it stamped.
    """

    class Status(models.TextChoices):
        GOOD = "good", "verified"
        FAILED = "failed", "failed verification"

    # "head" (a SignedHead's signed text) or the table of an archived copy.
    subject = models.CharField(max_length=63)
    subject_id = models.BigIntegerField()
    message_sha256 = models.CharField(max_length=64)
    token = models.BinaryField()
    status = models.CharField(max_length=6, choices=Status.choices)
    problem = models.TextField(blank=True)
    gen_time = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The stamps of one head or archived item (custody bundles, the stamping sweep).
            models.Index(fields=["subject", "subject_id"], name="trusted_timestamp_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"stamp of {self.subject} {self.subject_id} ({self.status})"
