"""Exports read one snapshot with the head they name: a write that commits while a long export
runs is neither in its rows nor under its head (real PostgreSQL, real threads)."""

from __future__ import annotations

import io
import json
import threading

import pytest
from django.db import connections

from claims.api import exports
from claims.exchange import dataset
from claims.ledger import tree
from claims.ledger.rebuild import Point
from claims.models import Claim
from claims.models.history import ChangeRecord
from tests.factories import ClaimFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def write_meanwhile() -> Claim:
    return ClaimFactory(summary="Written while the export ran.", status="published")


def test_a_claim_export_holds_the_state_of_the_head_in_its_header(api_client, monkeypatch):
    ClaimFactory(summary="Before the export.", status="published")
    before = tree.size()
    go = threading.Event()
    stream_csv = exports.stream_csv

    def slow(claims, request):
        go.wait(10)  # the head is read; the rows not yet
        yield from stream_csv(claims, request)

    monkeypatch.setattr(exports, "stream_csv", slow)
    answer = api_client.get("/api/v1/claims/export/csv/")
    write_meanwhile()
    assert tree.size() > before
    go.set()
    body = b"".join(answer.streaming_content).decode()
    assert answer["X-Claimtracker-Ledger-Head"] == f"{before} {tree.root(before).hex()}"
    assert "Before the export." in body
    assert "Written while the export ran." not in body


def test_a_dataset_export_is_exactly_the_record_at_the_head_it_names(monkeypatch):
    ClaimFactory(summary="Before the export.")
    records = dataset.dataset_records
    started, go = threading.Event(), threading.Event()

    def slow():
        for n, record in enumerate(records()):
            if n == 0:  # the actors are read, the claims not yet
                started.set()
                go.wait(10)
            yield record

    monkeypatch.setattr(dataset, "dataset_records", slow)
    out = io.StringIO()

    def run() -> None:
        try:
            dataset.export_dataset(out=out)
        finally:
            connections.close_all()

    export = threading.Thread(target=run)
    export.start()
    assert started.wait(10)
    written = write_meanwhile()
    go.set()
    export.join(10)
    head, _, rows = out.getvalue().partition("\n")
    named = json.loads(head)
    assert named["tree_size"] < tree.size()
    assert written.summary not in rows
    # The rows are the record as rebuilt from the history at the head's last change record.
    monkeypatch.setattr(dataset, "dataset_records", records)
    last = ChangeRecord.objects.get(pk=named["record"]["id"])
    then = io.StringIO()
    dataset.export_dataset(out=then, recorded_by=Point(last.id, last.hash, last.recorded_at))
    assert then.getvalue().partition("\n")[2] == rows
