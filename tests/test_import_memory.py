"""Importing a large file: memory grows with the keys a file names, not with its rows."""

from __future__ import annotations

import gc
import io
import tracemalloc
import uuid
from collections import Counter
from typing import Any

import pytest

from claims.exchange.dataset import dumps
from claims.exchange.importer import import_rows
from claims.exchange.package_reader import read_stream
from claims.models import Claim, QuoteCheck
from claims.record.workflow import OPERATOR

pytestmark = pytest.mark.django_db

ACTORS = 20
WORDS = "bridge ceasefire market district shelling evacuation checkpoint hospital convoy "


def dataset(claims: int) -> bytes:
    """A file of ``claims`` claims as an export writes them, each with the quote, summary and
    chain of a real one, and one document for every two claims, which their chains cite."""
    actors = [f"actor-{n}" for n in range(ACTORS)]
    documents = [str(uuid.UUID(int=n + 1)) for n in range(claims // 2)]
    records: list[dict] = [
        {"type": "actor", "slug": slug, "name": slug, "kind": "organisation", "aliases": []}
        for slug in actors
    ]
    records += [
        {"type": "document", "uid": uid, "publisher": actors[0], "title": f"Report {uid}",
         "kind": "article", "language": "en", "full_text": WORDS * 4}
        for uid in documents
    ]  # fmt: skip
    records += [
        {
            "type": "claim",
            "uid": str(uuid.UUID(int=10**9 + n)),
            "speaker": actors[n % ACTORS],
            "kind": "event",
            "summary": f"Actor {n % ACTORS} says {WORDS * 2}",
            "quote": WORDS * 3,
            "quote_language": "en",
            "made_on": "2017-09-26",
            "status": "published",
            "chain": [
                {"actor": actors[(n + 1) % ACTORS], "document": documents[n // 2], "verb": "cited"}
            ],
            "targets": [[actors[(n + 2) % ACTORS], "subject"]],
        }
        for n in range(claims)
    ]
    return "".join(dumps(record) + "\n" for record in records).encode()


def dry_run_peak(claims: int) -> int:
    """The most memory (bytes, by tracemalloc) a dry run of the file allocated at once."""
    stream = io.BytesIO(dataset(claims))
    rows, errors = read_stream(stream, name="data.jsonl")
    assert not errors
    tracemalloc.start()
    try:
        outcome = import_rows(rows, by=OPERATOR, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert outcome.ok, outcome.errors[:3]
    assert outcome.rows == ACTORS + claims // 2 + claims
    return peak


def test_a_dry_run_holds_the_keys_of_the_rows_it_read_not_the_rows():
    # Each claim of a real file is about 850 bytes of JSON; held as model instances, as the
    # importer once did, the rows cost some 2 KB each (306 MB for a 52.5 MB file). Held as
    # keys and ids, what each more claim (and half a document) adds is a few hundred bytes.
    # Measured: about 460 bytes on Python 3.11 and 970-1,040 on 3.13 (CI runs both); the
    # importer that held the rows took 2,520 and 2,410. The bound lies between.
    small, large = dry_run_peak(100), dry_run_peak(500)
    per_claim = (large - small) / 400
    assert per_claim < 1500, f"{per_claim:.0f} bytes per claim ({small:,} → {large:,})"


def held_by_the_write(claims: int, *, after: int) -> float:
    """What a real import of the file holds more (bytes, by tracemalloc) for each claim it
    writes after the first ``after``, until its transaction ends."""
    rows, errors = read_stream(io.BytesIO(dataset(claims)), name="data.jsonl")
    assert not errors
    started = ACTORS + claims // 2 + after  # the rows before: actors, documents, claims
    held: list[int] = []

    def mark(*_: Any) -> None:
        gc.collect()  # what is held, not garbage the collector has yet to reach
        held.append(tracemalloc.get_traced_memory()[0])

    def imported(done: int, total: int) -> None:
        if done == started:
            mark()

    tracemalloc.start()
    try:
        outcome = import_rows(
            rows,
            by=OPERATOR,
            imported=imported,
            written=mark,
        )
    finally:
        tracemalloc.stop()
    assert outcome.ok, outcome.errors[:3]
    assert outcome.created["claims"] == claims
    return (held[1] - held[0]) / (claims - after)


def test_a_real_import_holds_the_keys_of_the_rows_it_wrote_until_it_commits():
    # Until its one transaction commits, a real import holds what each row queued: one on-commit
    # callback a claim for its quote check cost some 560 bytes a claim (the callback, its
    # savepoint's set and id); gathered by id, what each more claim adds is its keys'. Between
    # the first hundred claims and the last, caches are warm. Measured: 167 bytes on Python
    # 3.11 (PostgreSQL), 276 on 3.13 (SQLite); with a callback a claim, 714 and 803.
    per_claim = held_by_the_write(500, after=100)
    assert per_claim < 400, f"{per_claim:.0f} bytes per claim"


def test_an_import_holds_one_callback_a_thousand_claims_until_it_commits(
    django_capture_on_commit_callbacks,
):
    # The one transaction of an import holds what its rows queue on commit, for the whole file:
    # the quote checks of its claims, by id, a callback for each thousand (effects.gathered),
    # and no delivery for an event no one subscribed to (each published claim records one).
    rows, _ = read_stream(io.BytesIO(dataset(20)), name="data.jsonl")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        outcome = import_rows(rows, by=OPERATOR)
    assert outcome.ok, outcome.errors[:3]
    assert outcome.created["claims"] == 20
    assert len(callbacks) == 1
    # Each claim's check ran, and found its quote in its document's text.
    checks = Counter(Claim.objects.values_list("quote_check", flat=True))
    assert checks == {QuoteCheck.FOUND: 20}
