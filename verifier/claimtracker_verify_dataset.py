#!/usr/bin/env python3
"""Check a claimtracker dataset export against the history, without trusting claimtracker: the
standard library and ``cryptography`` only, beside claimtracker_verify.py (whose checks it uses).

    claimtracker_verify_dataset.py DATASET.jsonl --history LEDGER.jsonl --public-key KEY

DATASET.jsonl is ``manage.py export_dataset`` (its first line names the signed head it was read
at); LEDGER.jsonl is ``manage.py export_ledger`` made at that head or later. What is checked:
- the ledger export, as ``claimtracker_verify.py history`` checks it;
- the dataset's head: signed by KEY, and the root of the ledger's first ``tree_size`` records;
- the rows: every row's last image (state_after) among those records, deleted rows left out,
  rebuilt into the dataset's records by their natural keys (slugs and uids), is exactly the
  dataset: every field of every record equal, no record missing, none added.
Exit status: 0 when it checks out, 1 when it does not (the reason is printed), 2 when a file
cannot be read as what it should be.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

_spec = importlib.util.spec_from_file_location(
    "claimtracker_verify", Path(__file__).resolve().with_name("claimtracker_verify.py")
)
if _spec is None or _spec.loader is None:
    raise SystemExit("claimtracker_verify.py must be beside this file")
verify = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verify)

# The rows a dataset record names by key, and the table each kind's rows are in.
KEYED = {"actor": ("sources_actor", "slug"), "document": ("sources_document", "uid")}
KEYED |= {"incident": ("claims_incident", "slug"), "claim": ("claims_claim", "uid")}
REFERS = {"speaker": "actor", "spokesperson": "actor", "publisher": "actor", "person": "actor"}
REFERS |= {"organisation": "actor", "actor": "actor", "reported_by": "actor"}
REFERS |= {"incident": "incident", "document": "document", "claim": "claim", "answers": "claim"}
LISTS = {  # list field: (table, sorted by, [name, language]-like pairs or None for objects)
    "aliases": ("sources_alias", "actor_id", ["name", "language"]),
    "targets": ("claims_claimtarget", "claim_id", ["actor", "role"]),
    "figures": ("claims_casualtyfigure", "claim_id", None),
    "chain": ("claims_attribution", "claim_id", None),
    "evidence": ("claims_evidence", "claim_id", None),
}
# Kinds without a key of their own: named by these fields.
FLAT = {
    "affiliation": (
        "sources_affiliation",
        ["person", "organisation", "role", "start_on", "end_on"],
    ),
    "response": ("claims_response", ["claim", "answers", "kind"]),
}


def norm(value: Any) -> Any:
    """One spelling of a value, whichever database imaged it: numbers as decimals, UUIDs
    without hyphens."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, dict):
        return {k: norm(v) for k, v in value.items()}
    text = str(value)
    bare = text.replace("-", "").lower()
    if len(bare) == 32 and len(text) in (32, 36) and all(c in "0123456789abcdef" for c in bare):
        return bare
    try:
        return Decimal(text).normalize() if not text.isalpha() else text
    except InvalidOperation:
        return text


class Rebuilt:
    """The rows at the head, by table, and the natural key of each keyed row."""

    def __init__(self, images: dict[str, dict[Any, dict]]) -> None:
        self.images = images
        self.keys = {
            kind: {i["id"]: i[key] for i in images.get(table, {}).values()}
            for kind, (table, key) in KEYED.items()
        }

    def field(self, image: dict, name: str) -> Any:
        if name in REFERS and f"{name}_id" in image:
            target = image[f"{name}_id"]
            return None if target is None else self.keys[REFERS[name]].get(target)
        if name not in image:
            raise verify.Failed(f"the history's rows have no field {name!r}")
        return image[name]

    def shaped(self, image: dict, like: dict) -> dict:
        """The record of ``image`` with the fields of the dataset record ``like``."""
        shaped: dict[str, Any] = {}
        for name, value in like.items():
            if name == "type":
                shaped[name] = value
            elif name in LISTS and isinstance(value, list):
                shaped[name] = self.items(name, image["id"], value)
            else:
                shaped[name] = self.field(image, name)
        return shaped

    def items(self, name: str, parent: Any, given: list) -> list:
        table, column, pair = LISTS[name]
        rows = [i for i in self.images.get(table, {}).values() if i[column] == parent]
        if pair:
            return sorted([[self.field(i, f) for f in pair] for i in rows], key=str)
        rows.sort(key=lambda i: (i.get("position", 0), i["id"]))
        like = given[0] if given else {}
        return [{f: self.field(i, f) for f in like} if like else {} for i in rows]


def images_at(history: Path, size: int, key: Any) -> tuple[dict[str, dict[Any, dict]], bytes]:
    """Each row's last image among the ledger's first ``size`` records, and their root."""
    with history.open(encoding="utf-8") as lines:
        verify.check_history(lines, key, str(history))
    tree = verify.Root()
    images: dict[str, dict[Any, dict]] = defaultdict(dict)
    with history.open(encoding="utf-8") as lines:
        for _, record in verify._records(list(lines)[1 : size + 1], str(history)):
            tree.append(verify.leaf_hash(record["id"], record["hash"]))
            rows = images[record["table_name"]]
            if record["operation"] == "DELETE":
                rows.pop(record["record_id"], None)
            else:
                rows[record["record_id"]] = json.loads(record["state_after"])
    if tree.size != size:
        raise verify.Failed(f"the ledger holds {tree.size} records, the dataset's head {size}")
    return images, tree.digest()


def check_dataset(dataset: Path, history: Path, key: Any) -> str:
    try:
        text = dataset.read_text(encoding="utf-8")
        lines = [json.loads(line) for line in text.split("\n") if line]
    except (OSError, ValueError) as error:
        raise verify.Unreadable(f"{dataset}: {error}") from None
    if not lines or lines[0].get("type") != "head":
        raise verify.Unreadable(f"{dataset} does not start with the head it was read at")
    size, root = verify.check_head(lines[0], key)
    images, reached = images_at(history, size, key)
    if reached != root:
        raise verify.Failed(
            f"the ledger's first {size} records make the root {reached.hex()}, the dataset's "
            f"head says {root.hex()}"
        )
    rebuilt = Rebuilt(images)
    expected: dict[tuple, dict] = {}
    for kind, (table, key_name) in KEYED.items():
        for image in images.get(table, {}).values():
            expected[(kind, norm(image[key_name]))] = image
    for kind, (table, names) in FLAT.items():
        for image in images.get(table, {}).values():
            expected[(kind, *norm([rebuilt.field(image, n) for n in names]))] = image
    return _compare(lines[1:], expected, rebuilt) + f" of {size} (root {root.hex()})"


def _key(record: dict) -> tuple:
    kind = record.get("type")
    if kind in KEYED:
        return (kind, norm(record.get(KEYED[kind][1])))
    if kind in FLAT:
        return (kind, *norm([record.get(n) for n in FLAT[kind][1]]))
    raise verify.Unreadable(f"the dataset holds a record of unknown type {kind!r}")


def _compare(records: list, expected: dict, rebuilt: Rebuilt) -> str:
    seen = set()
    for record in records:
        key = _key(record)
        name = " ".join(str(part) for part in key)
        if key not in expected or key in seen:
            raise verify.Failed(f"{name} is in the dataset but not in the record at the head")
        seen.add(key)
        if norm(rebuilt.shaped(expected[key], record)) != norm(record):
            raise verify.Failed(f"{name} differs from its last change record up to the head")
    missing = [k for k in expected if k not in seen]
    if missing:
        name = " ".join(str(part) for part in missing[0])
        raise verify.Failed(f"{name} is in the record at the head but not in the dataset")
    return f"the dataset's {len(records)} records are exactly the record at the signed head"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--history", type=Path, required=True)
    parser.add_argument("--public-key", required=True, help="hex, or a file holding it")
    args = parser.parse_args(argv)
    try:
        key = verify.public_key(args.public_key)
        print(f"OK: {check_dataset(args.dataset, args.history, key)}")
    except verify.Failed as failure:
        print(f"FAILED: {failure}")
        return 1
    except (verify.Unreadable, ValueError, KeyError) as error:
        print(f"cannot check: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
