#!/usr/bin/env python3
"""Check claimtracker's record without trusting claimtracker: one file, the standard library and
``cryptography`` (for Ed25519) only. Copy it anywhere and run it with Python 3.11 or later.

    claimtracker_verify.py head HEAD.json --public-key KEY
    claimtracker_verify.py inclusion PROOF.json --head HEAD.json --public-key KEY
    claimtracker_verify.py consistency PROOF.json --old OLD.json --new NEW.json --public-key KEY
    claimtracker_verify.py history EXPORT.jsonl --public-key KEY
    claimtracker_verify.py bundle BUNDLE.zip --public-key KEY

KEY is the server's published Ed25519 public key (64 hex digits), or a file holding it: take it
from somewhere other than the files you check. HEAD.json is GET /api/v1/ledger/head/ or a
dataset export (``export_dataset``'s JSON Lines, or its data package: directory or zip), whose
head names the tree the data was read at, PROOF.json
GET /api/v1/ledger/proof/inclusion/?record=N&size=S or .../consistency/?from=A&to=B, EXPORT.jsonl
``manage.py export_ledger``, BUNDLE.zip an evidence item's or document's custody bundle.
claimtracker_verify_dataset.py, kept beside this file, checks a dataset export's rows against
the history up to its head.

What is checked, from the definitions alone:
- a signed head: the Ed25519 signature over its text ("claimtracker tree head v1", size, root,
  timestamp, one per line);
- a change record's hash: SHA-256 of its fields joined by "|" (prev_hash, table_name, record_id,
  operation, user_id, context, recorded_at, state_before, state_after, and, when any of them is
  set, claimed_user_id, txid, attribution), each record's prev_hash its predecessor's hash;
- the Merkle tree: RFC 9162, leaf i the i-th record's "id|hash", leaves SHA-256(0x00 || input),
  nodes SHA-256(0x01 || left || right); inclusion and consistency proofs by RFC 9162 2.1.3.2 and
  2.1.4.2.
Exit status: 0 when everything checks out, 1 when something does not (the reason is printed), 2
when a file cannot be read as what it should be.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS_HASH = "0" * 64
HEAD_FORMAT = "claimtracker tree head v1\nsize {size}\nroot {root}\ntimestamp {timestamp}\n"
CHAIN_FIELDS = ["prev_hash", "table_name", "record_id", "operation", "user_id", "context"]
CHAIN_FIELDS += ["recorded_at", "state_before", "state_after"]
PROOF_FIELDS = ["claimed_user_id", "txid", "attribution"]


class Failed(Exception):
    """The record does not check out."""


class Unreadable(Exception):
    """An input is not what it should be."""


# --- hashing ----------------------------------------------------------------------------------


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(record_id: int, chain_hash: str) -> bytes:
    return _sha(b"\x00" + f"{record_id}|{chain_hash}".encode())


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha(b"\x01" + left + right)


def chain_hash(record: dict) -> str:
    """The hash a change record must carry, from its own fields."""
    parts = [str(record.get(name, "")) for name in CHAIN_FIELDS]
    if any(record.get(name) for name in PROOF_FIELDS):
        parts += [str(record.get(name, "")) for name in PROOF_FIELDS]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


class Root:
    """The RFC 9162 root of leaves appended one at a time, in O(log n) memory."""

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (subtree size, hash), sizes decreasing

    def append(self, leaf: bytes) -> None:
        size, h = 1, leaf
        while self._stack and self._stack[-1][0] == size:
            left = self._stack.pop()[1]
            size, h = size * 2, node_hash(left, h)
        self._stack.append((size, h))
        self.size += 1

    def digest(self) -> bytes:
        if not self._stack:
            return _sha(b"")
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h


def root_of_inclusion(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """RFC 9162 2.1.3.2: the root an audit path leads to, or Failed."""
    if index >= size:
        raise Failed(f"leaf {index} cannot be in a tree of {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise Failed("the audit path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise Failed("the audit path is shorter than the tree is deep")
    return r


def check_consistency(first: int, second: int, old: bytes, new: bytes, path: list[bytes]) -> None:
    """RFC 9162 2.1.4.2: the tree of ``first`` leaves (root ``old``) is a prefix of the tree of
    ``second`` leaves (root ``new``), or Failed."""
    if not 0 < first <= second:
        raise Failed(f"no consistency proof goes from {first} to {second}")
    if first == second:
        if path or old != new:
            raise Failed(f"two heads of size {first} with roots {old.hex()} and {new.hex()}")
        return
    if first & (first - 1) == 0:
        path = [old, *path]
    if not path:
        raise Failed("the consistency proof is empty")
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise Failed("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != old:
        raise Failed(
            f"the tree of {second} does not extend the tree of {first}: the proof leads to "
            f"{fr.hex()} for the older head, which says {old.hex()}"
        )
    if sr != new:
        raise Failed(
            f"the tree of {second} does not extend the tree of {first}: the proof leads to "
            f"{sr.hex()} for the newer head, which says {new.hex()}"
        )


# --- inputs -----------------------------------------------------------------------------------


def _hex(value: object, what: str, length: int = 64) -> bytes:
    if not isinstance(value, str) or len(value) != length:
        raise Unreadable(f"{what} is not {length} hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise Unreadable(f"{what} is not {length} hex digits") from None


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Unreadable(f"{what} is not a whole number")
    return value


def public_key(value: str) -> Ed25519PublicKey:
    text = value.strip()
    if len(text) != 64 and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8").strip()
    return Ed25519PublicKey.from_public_bytes(_hex(text, "the public key"))


def read_json(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Unreadable(f"{path}: {error}") from None
    if not isinstance(data, dict):
        raise Unreadable(f"{path} does not hold a JSON object")
    return data


def read_head(path: str) -> dict:
    """A signed head: a head file, or the head a dataset export names (the first line of JSON
    Lines, or datapackage.json's "head", in a package's directory or zip)."""
    where = Path(path) / "datapackage.json" if Path(path).is_dir() else Path(path)
    try:
        if zipfile.is_zipfile(where):
            with zipfile.ZipFile(where) as package:
                text = package.read("datapackage.json").decode("utf-8")
        else:
            text = where.read_text(encoding="utf-8")
        data = json.loads(text.lstrip().split("\n", 1)[0] if text.count("\n{") else text)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise Unreadable(f"{path}: {error}") from None
    head = data.get("head", data) if isinstance(data, dict) else None
    if not isinstance(head, dict):
        raise Unreadable(f"{path} does not hold a JSON object with a signed head")
    return head


def check_head(head: dict, key: Ed25519PublicKey) -> tuple[int, bytes]:
    """A signed head's (size, root) once its signature checks out."""
    size = _int(head.get("tree_size"), "the head's tree_size")
    root = _hex(head.get("root_hash"), "the head's root_hash")
    timestamp = head.get("timestamp")
    if not isinstance(timestamp, str) or "\n" in timestamp:
        raise Unreadable("the head's timestamp is not one line of text")
    text = HEAD_FORMAT.format(size=size, root=root.hex(), timestamp=timestamp).encode()
    try:
        key.verify(_hex(head.get("signature"), "the head's signature", 128), text)
    except InvalidSignature:
        raise Failed(
            f"the head of size {size} (root {root.hex()}, {timestamp}) is not signed by this key"
        ) from None
    return size, root


def _path(values: object, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise Unreadable(f"{what} is not a list of hashes")
    return [_hex(v, f"a hash of {what}") for v in values]


def check_inclusion(proof: dict, head: dict, key: Ed25519PublicKey) -> str:
    size, root = check_head(head, key)
    record = _int(proof.get("record"), "the proof's record")
    chain = proof.get("chain_hash")
    _hex(chain, "the proof's chain_hash")
    if _int(proof.get("tree_size"), "the proof's tree_size") != size:
        raise Failed(f"the proof is for a tree of {proof['tree_size']}, the head's is {size}")
    index = _int(proof.get("leaf_index"), "the proof's leaf_index")
    reached = root_of_inclusion(
        index, size, leaf_hash(record, str(chain)), _path(proof.get("audit_path"), "audit_path")
    )
    if reached != root:
        raise Failed(
            f"change record #{record} (leaf {index}) is not in the tree of {size}: its audit "
            f"path leads to {reached.hex()}, the signed root is {root.hex()}"
        )
    return f"change record #{record} is leaf {index} of the signed tree of {size}"


def _records(lines: Iterable[str], origin: str) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise Unreadable(f"{origin} line {number}: {error}") from None
        if not isinstance(record, dict):
            raise Unreadable(f"{origin} line {number} is not a JSON object")
        yield number, record


def check_history(lines: Iterable[str], key: Ed25519PublicKey, origin: str) -> str:
    """A ledger export: a signed head, then every change record up to it, in order."""
    records = _records(lines, origin)
    first = next(records, None)
    if first is None or first[1].get("type") != "head":
        raise Unreadable(f"{origin} does not start with a signed head")
    size, root = check_head(first[1], key)
    tree, previous, previous_id = Root(), GENESIS_HASH, 0
    for number, record in records:
        record_id = _int(record.get("id"), f"{origin} line {number}: id")
        name = f"change record #{record_id} ({origin} line {number})"
        if record_id <= previous_id:
            raise Failed(f"{name} comes after #{previous_id}: records are out of order")
        if record.get("prev_hash") != previous:
            raise Failed(
                f"{name} does not follow the record before it (#{previous_id}): a record "
                "between them was removed, added or moved, or the chain was rewritten"
            )
        if chain_hash(record) != record.get("hash"):
            raise Failed(f"{name} does not match its hash: it was altered")
        tree.append(leaf_hash(record_id, previous := str(record["hash"])))
        previous_id = record_id
    if tree.size != size:
        raise Failed(f"the export holds {tree.size} change records, the signed head {size}")
    if tree.digest() != root:
        raise Failed(
            f"the {size} change records make the Merkle root {tree.digest().hex()}, the "
            f"signed head says {root.hex()}: a record's id or place was changed"
        )
    return f"all {size} change records chain and make the signed root {root.hex()}"


def check_bundle(path: str, key: Ed25519PublicKey) -> str:
    """A custody bundle: its change records are in the signed tree, and its files hash to what
    the manifest and the item's last change record say."""
    try:
        with zipfile.ZipFile(path) as bundle:
            head = json.loads(bundle.read("head.json"))
            manifest = json.loads(bundle.read("manifest.json"))
            proofs = json.loads(bundle.read("proofs.json"))
            lines = bundle.read("records.jsonl").decode().splitlines()
            files = {name: bundle.read(name) for name in manifest.get("files", {})}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise Unreadable(f"{path} is not a custody bundle: {error}") from None
    by_record = {p.get("record"): p for p in proofs if isinstance(p, dict)}
    last: dict = {}
    records = [record for _, record in _records(lines, path)]
    for record in records:
        name = f"change record #{record.get('id')}"
        if chain_hash(record) != record.get("hash"):
            raise Failed(f"{name} of the bundle does not match its hash: it was altered")
        proof = by_record.get(record.get("id"))
        if proof is None or proof.get("chain_hash") != record.get("hash"):
            raise Failed(f"{name} of the bundle has no inclusion proof for its hash")
        check_inclusion(proof, head, key)
        last = record
    if not records:
        raise Failed("the bundle holds no change record of its item")
    for name, expected in manifest.get("files", {}).items():
        if hashlib.sha256(files[name]).hexdigest() != expected:
            raise Failed(f"{name} of the bundle does not hash to {expected}: it was altered")
    archive = manifest.get("archive")
    if archive:
        state = json.loads(last.get("state_after") or "{}")
        recorded = state.get("archive_sha256")
        if manifest["files"].get(archive) != recorded:
            raise Failed(
                f"{archive} hashes to {manifest['files'].get(archive)}, the item's last change "
                f"record (#{last.get('id')}) says {recorded}"
            )
    return (
        f"{manifest.get('item', 'the item')}: {len(records)} change records in the signed tree "
        f"of {head.get('tree_size')}, {len(files)} files as recorded"
    )


# --- command line ----------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Check claimtracker's signed heads, proofs, ledger exports and custody "
        "bundles against the server's published Ed25519 public key."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("head", "a signed tree head (GET /api/v1/ledger/head/, or a dataset export's)"),
        ("inclusion", "an inclusion proof, against a signed head"),
        ("consistency", "a consistency proof, between two signed heads"),
        ("history", "a ledger export (manage.py export_ledger), against its signed head"),
        ("bundle", "a custody bundle (zip), offline"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("file")
        command.add_argument("--public-key", required=True, help="hex, or a file holding it")
        if name == "inclusion":
            command.add_argument("--head", required=True)
        if name == "consistency":
            command.add_argument("--old", required=True)
            command.add_argument("--new", required=True)
    return parser


def run(args: argparse.Namespace) -> str:
    key = public_key(args.public_key)
    if args.command == "head":
        size, root = check_head(read_head(args.file), key)
        return f"the head of size {size} (root {root.hex()}) is signed by this key"
    if args.command == "inclusion":
        return check_inclusion(read_json(args.file), read_head(args.head), key)
    if args.command == "consistency":
        proof = read_json(args.file)
        first, old = check_head(read_head(args.old), key)
        second, new = check_head(read_head(args.new), key)
        if (proof.get("from"), proof.get("to")) != (first, second):
            raise Failed(f"the proof goes from {proof.get('from')} to {proof.get('to')}")
        check_consistency(first, second, old, new, _path(proof.get("consistency_path"), "path"))
        return f"the signed tree of {second} extends the signed tree of {first}"
    if args.command == "history":
        try:
            with open(args.file, encoding="utf-8") as lines:
                return check_history(lines, key, args.file)
        except OSError as error:
            raise Unreadable(f"{args.file}: {error}") from None
    return check_bundle(args.file, key)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        print(f"OK: {run(args)}")
    except Failed as failure:
        print(f"FAILED: {failure}")
        return 1
    except (Unreadable, ValueError) as error:
        print(f"cannot check: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
