"""A witness of another server's ledger: fetch its signed head, check that it extends the last
head kept for that server, keep it (manage.py ledger_witness URL).

A server that rewrote or forked its history after a witness kept a head cannot give that witness
a consistency proof: its new tree does not contain the old one. The witness pins the server's
public key on first contact (or takes it from the operator), so a server that starts signing with
another key is refused too. On a failure the witness also asks about the heads it kept earlier,
to say between which two tree sizes the server's history stopped agreeing with what it said.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from claims.ledger import heads, merkle
from claims.models.ledger import WitnessedHead

HEAD_PATH = "/api/v1/ledger/head/"
CONSISTENCY_PATH = "/api/v1/ledger/proof/consistency/"
# How many earlier heads a failure is checked against, to narrow down where the histories part.
EARLIER_HEADS = 20


class WitnessFailed(Exception):
    """The server's head is not what an honest server could give this witness."""


class Unreachable(Exception):
    """The server did not answer with a head or a proof."""


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes
    timestamp: str
    signature: str
    key_id: str
    public_key: str

    @classmethod
    def of(cls, kept: WitnessedHead) -> Head:
        return cls(
            kept.size,
            bytes.fromhex(kept.root_hash),
            kept.timestamp,
            kept.signature,
            kept.key_id,
            kept.public_key,
        )


def _get(url: str, timeout: float) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            data = json.loads(answer.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise Unreachable(f"{url}: {error}") from None
    if not isinstance(data, dict):
        raise Unreachable(f"{url} did not answer with a JSON object")
    return data


def _parse(data: dict[str, Any], server: str) -> Head:
    try:
        head = Head(
            int(data["tree_size"]),
            bytes.fromhex(data["root_hash"]),
            str(data["timestamp"]),
            str(data["signature"]),
            str(data["key_id"]),
            str(data["public_key"]),
        )
    except (KeyError, TypeError, ValueError):
        raise Unreachable(f"{server} did not answer with a signed tree head") from None
    if len(head.root) != 32:
        raise Unreachable(f"{server}'s head has no 32-byte root hash")
    return head


def _check_signature(head: Head, public_key: str) -> None:
    text = heads.signed_text(head.size, head.root.hex(), head.timestamp)
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key))
        key.verify(bytes.fromhex(head.signature), text)
    except (ValueError, InvalidSignature):
        raise WitnessFailed(
            f"the head of size {head.size} (root {head.root.hex()}) is not signed by the "
            f"server's key {public_key}"
        ) from None


def _extends(server: str, old: Head, new: Head, timeout: float) -> bool:
    if old.size == 0 or old.size == new.size:
        return old.size == 0 or old.root == new.root
    query = urlencode({"from": old.size, "to": new.size})
    data = _get(f"{server}{CONSISTENCY_PATH}?{query}", timeout)
    try:
        path = [bytes.fromhex(h) for h in data["consistency_path"]]
    except (KeyError, TypeError, ValueError):
        return False
    return merkle.consistent(old.size, new.size, old.root, new.root, path)


def _where(server: str, new: Head, failed: WitnessedHead, timeout: float) -> str:
    """Between which kept heads the server's history stopped agreeing with the new head."""
    earlier = WitnessedHead.objects.filter(server=server, size__lt=failed.size, size__gt=0)
    for kept in earlier.order_by("-size")[:EARLIER_HEADS]:
        if _extends(server, Head.of(kept), new, timeout):
            return (
                f"; it still agrees with the head of size {kept.size} kept from "
                f"{kept.timestamp}: the history was changed among leaves {kept.size} to "
                f"{failed.size - 1}"
            )
    return ""


def witness(server: str, *, public_key: str = "", timeout: float = 10.0) -> tuple[Head, str]:
    """Fetch ``server``'s head, check it against the last one kept, keep it; (head, what
    happened). Raises WitnessFailed (nothing kept) or Unreachable."""
    server = server.rstrip("/")
    new = _parse(_get(f"{server}{HEAD_PATH}", timeout), server)
    last = WitnessedHead.objects.filter(server=server).order_by("-id").first()
    pinned = public_key or (last.public_key if last else new.public_key)
    if last and new.public_key != last.public_key and not public_key:
        raise WitnessFailed(
            f"the server now signs with the key {new.public_key}; it signed with "
            f"{last.public_key} when this witness last kept its head"
        )
    _check_signature(new, pinned)
    if last is None:
        outcome = f"first head kept: size {new.size}, root {new.root.hex()}"
    elif new.size < last.size:
        raise WitnessFailed(
            f"the server's tree shrank from {last.size} (root {last.root_hash}) to {new.size} "
            f"(root {new.root.hex()})"
        )
    elif not _extends(server, Head.of(last), new, timeout):
        raise WitnessFailed(
            f"the server's tree of {new.size} (root {new.root.hex()}) does not extend the tree "
            f"of {last.size} (root {last.root_hash}) kept from {last.timestamp}: a fork or a "
            f"rewrite{_where(server, new, last, timeout)}"
        )
    else:
        outcome = f"the tree of {new.size} extends the tree of {last.size} kept before"
    WitnessedHead.objects.create(
        server=server,
        size=new.size,
        root_hash=new.root.hex(),
        timestamp=new.timestamp,
        signature=new.signature,
        key_id=new.key_id,
        public_key=pinned,
    )
    return new, outcome
