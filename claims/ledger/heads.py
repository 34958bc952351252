"""Signed tree heads: the tree's size and root at a moment, signed with the ledger's Ed25519 key.

A head is the record's statement to outsiders: "after N change records our tree's root was R".
Whoever keeps one can later ask for a consistency proof and so learn whether we rewrote anything
before N, and can check any record's inclusion proof against it, with the public key alone
(verifier/claimtracker_verify.py needs nothing else of ours).

The signed text is ``SIGNED_FORMAT`` filled in: plain lines, so any tool can rebuild it.
The key is ``LEDGER_SIGNING_KEY`` (PEM, or the 32-byte private seed as hex), or the file named
by ``LEDGER_SIGNING_KEY_FILE``; a local run (DEBUG) makes one under var/ on first use. With
neither set outside DEBUG no head is signed (the API answers 503) and ``check --deploy`` fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from claims.ledger import tree
from claims.models.ledger import SignedHead

SIGNED_FORMAT = "claimtracker tree head v1\nsize {size}\nroot {root}\ntimestamp {timestamp}\n"


class NoSigningKey(ImproperlyConfigured):
    """No key is configured: heads cannot be signed."""


def signed_text(size: int, root_hash: str, timestamp: str) -> bytes:
    return SIGNED_FORMAT.format(size=size, root=root_hash, timestamp=timestamp).encode()


def _parse(text: str, origin: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text))
    except ValueError as error:
        raise NoSigningKey(f"{origin} is not an Ed25519 private key: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise NoSigningKey(f"{origin} holds a private key, but not an Ed25519 one")
    return key


def _generate(path: Path) -> str:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
    path.chmod(0o600)
    return pem.decode()


@lru_cache(maxsize=4)
def _load(value: str, file: str, generate: bool) -> Ed25519PrivateKey:
    if value:
        return _parse(value, "LEDGER_SIGNING_KEY")
    if not file:
        raise NoSigningKey(
            "No ledger signing key: set LEDGER_SIGNING_KEY or LEDGER_SIGNING_KEY_FILE "
            "(python -c 'import secrets; print(secrets.token_hex(32))' makes one)."
        )
    path = Path(file)
    if not path.is_file():
        if not generate:
            raise NoSigningKey(f"LEDGER_SIGNING_KEY_FILE {file} does not exist")
        return _parse(_generate(path), file)
    return _parse(path.read_text(encoding="utf-8"), file)


def signing_key() -> Ed25519PrivateKey:
    """The configured key (read once per setting); raises NoSigningKey when there is none."""
    return _load(settings.LEDGER_SIGNING_KEY, settings.LEDGER_SIGNING_KEY_FILE, settings.DEBUG)


def public_key_hex() -> str:
    raw = (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return raw.hex()


def signature_valid(text: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex) is this server's key's signature of ``text``."""
    try:
        signing_key().public_key().verify(bytes.fromhex(signature), text)
    except (ValueError, InvalidSignature):
        return False
    return True


def key_id(public_hex: str) -> str:
    """SHA-256 of the raw public key: names the key a head was signed with."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def _now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def signed(size: int) -> SignedHead:
    """The head of the tree at ``size`` leaves, signed as of now, not yet stored (an export in
    a read-only transaction stores it after)."""
    root_hash = tree.root(size).hex()
    timestamp = _now_text()
    signature = signing_key().sign(signed_text(size, root_hash, timestamp)).hex()
    return SignedHead(
        size=size,
        root_hash=root_hash,
        timestamp=timestamp,
        signature=signature,
        key_id=key_id(public_key_hex()),
    )


def sign(size: int) -> SignedHead:
    """Sign and keep the head of the tree at ``size`` leaves, as of now."""
    head = signed(size)
    head.save()
    return head


def latest() -> SignedHead:
    """The newest signed head, signed afresh when the tree has grown since (or the key changed).

    Two requests racing past a grown tree may both sign: two true heads, both kept.
    """
    size = tree.size()
    head = SignedHead.objects.order_by("-id").first()
    if head is None or head.size != size or head.key_id != key_id(public_key_hex()):
        with transaction.atomic():
            head = sign(size)
    return head


def as_json(head: SignedHead) -> dict[str, Any]:
    """A head as the API, exports and the verifier give it."""
    return {
        "tree_size": head.size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
        "signature": head.signature,
        "key_id": head.key_id,
        "public_key": public_key_hex(),
        "signed_text": signed_text(head.size, head.root_hash, head.timestamp).decode(),
    }


def check_signing_key(**kwargs: object) -> list[checks.CheckMessage]:
    """check --deploy: a production site must sign its heads."""
    try:
        signing_key()
    except NoSigningKey as error:
        return [checks.Error(str(error), id="claims.E101")]
    return []
