"""The Merkle tree over the history, as RFC 9162 (Certificate Transparency 2.0) hashes it.

Leaf *i* is the *i*-th change record in id order; its input is ``"<id>|<chain hash>"``, so a leaf
pins both where the record sits and everything its chain hash covers (claims/models/history.py).
Leaves hash as SHA-256(0x00 ‖ input), inner nodes as SHA-256(0x01 ‖ left ‖ right).

Nothing here reads the database. The tree is stored as its *perfect* subtrees only — the node
(level, position) is the hash of the 2**level leaves from position * 2**level on — because every
hash an RFC 9162 head or proof needs is either one of those or folds from O(log n) of them: the
right edge of a tree whose size is not a power of two is the one subtree that is not perfect.
So this module turns a head or a proof into the perfect nodes it needs (``*_nodes``), and folds
the hashes read for them into the answer (``fold``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

Node = tuple[int, int]  # (level, position)
Range = tuple[int, int]  # leaves [start, end)

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_input(record_id: int, chain_hash: str) -> bytes:
    return f"{record_id}|{chain_hash}".encode()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees, left to right, whose fold is the hash of leaves [start, end).

    Every range a head or proof names starts at a multiple of its own split, so each left part
    is one perfect, aligned subtree and only the right part recurses.
    """
    nodes: list[Node] = []
    while end - start > 1 and (end - start) & (end - start - 1):
        k = split(end - start)
        assert start % k == 0, f"range [{start}, {end}) is not aligned"
        nodes.append((k.bit_length() - 1, start // k))
        start += k
    level = (end - start).bit_length() - 1
    assert start % (1 << level) == 0, f"range [{start}, {end}) is not aligned"
    nodes.append((level, start >> level))
    return nodes


def fold(hashes: list[bytes]) -> bytes:
    """The hash of a range from its perfect subtrees' hashes (``range_nodes`` order)."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """RFC 9162 2.1.3.1 PATH(index, D[size]) as the ranges whose hashes it lists, leaf first."""
    ranges: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split(end - start)
        if index - start < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return list(reversed(ranges))


def consistency_ranges(old: int, new: int) -> list[Range]:
    """RFC 9162 2.1.4.1 PROOF(old, D[new]) as the ranges whose hashes it lists (0 < old <= new)."""
    ranges: list[Range] = []
    start, end, whole = 0, new, True
    while old - start != end - start:
        k = split(end - start)
        if old - start <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, whole = start + k, False
    if not whole:
        ranges.append((start, end))
    return list(reversed(ranges))


def root_nodes(size: int) -> list[Node]:
    return range_nodes(0, size) if size else []


def proof_nodes(ranges: list[Range]) -> list[Node]:
    """Every perfect node the given ranges fold from, each once."""
    return list(dict.fromkeys(node for r in ranges for node in range_nodes(*r)))


def range_hash(r: Range, stored: Mapping[Node, bytes]) -> bytes:
    return fold([stored[node] for node in range_nodes(*r)])


def root_hash(size: int, stored: Mapping[Node, bytes]) -> bytes:
    return range_hash((0, size), stored) if size else EMPTY_ROOT


def consistent(old: int, new: int, old_root: bytes, new_root: bytes, path: list[bytes]) -> bool:
    """Whether ``path`` proves the tree of ``old`` leaves a prefix of the tree of ``new``.

    Not RFC 9162 2.1.4.2's walk (the standalone verifier has that) but its definition read
    backwards: each hash of the proof stands for a known range, and both roots must fold from
    them. Two algorithms, so that a mistake in one does not hide in the other.
    """
    if not 0 < old <= new:
        return False
    if old == new:
        return not path and old_root == new_root
    ranges = consistency_ranges(old, new)
    if len(ranges) != len(path):
        return False
    known = dict(zip(ranges, path, strict=True))
    if old & (old - 1) == 0:
        known[(0, old)] = old_root

    def mth(start: int, end: int) -> bytes | None:
        if (start, end) in known:
            return known[(start, end)]
        if end - start < 2:
            return None
        k = split(end - start)
        left, right = mth(start, start + k), mth(start + k, end)
        return None if left is None or right is None else node_hash(left, right)

    return mth(0, old) == old_root and mth(0, new) == new_root
