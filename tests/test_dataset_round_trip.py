"""Any text the record holds comes back from a dataset unchanged: exported as JSON Lines or
written as the CSV form of a dataset, imported into an empty database, exported again, byte for
byte — line and paragraph separators, NEL, carriage returns and all."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.exchange import dataset
from claims.exchange.importer import import_text
from claims.models import Claim
from claims.record.workflow import OPERATOR
from sources.models import Actor
from tests.factories import ActorFactory, ClaimFactory
from tests.test_jobs_imports import empty_the_database, export

pytestmark = pytest.mark.django_db

# Characters some reader takes for a line end, mixed in far more often than chance would.
LINE_ENDS = "\u2028\u2029\x85\r\n\x0b\x0c\x1c\x1d\x1e"
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(LINE_ENDS),
        # Any character a database column holds: no lone surrogates, no NUL (PostgreSQL).
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    ),
    min_size=1,
    max_size=40,
)
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def record_with(text: str) -> None:
    speaker = ActorFactory(name=f"Speaker {text}", slug="speaker", description=text)
    ClaimFactory(speaker=speaker, summary=f"The speaker says {text}", quote=text)


def as_csv(text: str) -> str:
    """A dataset's records as the CSV form the importer reads: a column per field, lists and
    objects as JSON."""
    records = [json.loads(line) for line in dataset.lines_of(text) if line]
    columns = sorted({key for record in records for key in record})
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False)
                if isinstance(value, list | dict)
                else value
                for key, value in record.items()
            }
        )
    return out.getvalue()


def round_trip(text: str, *, through_csv: bool) -> None:
    with transaction.atomic():
        record_with(text)
        first = export()
        empty_the_database()
        file = as_csv(first) if through_csv else first
        outcome = import_text(file, name="x.csv" if through_csv else "x.jsonl", by=OPERATOR)
        assert outcome.ok, outcome.errors
        assert export() == first
        claim = Claim.objects.get()
        assert claim.quote == text
        assert claim.summary == f"The speaker says {text}"
        assert Actor.objects.get(slug="speaker").description == text
        transaction.set_rollback(True)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_text_holding_a_line_separator_survives_an_export_and_import(separator):
    round_trip(f"first{separator}second", through_csv=False)


def test_the_export_writes_line_separators_as_escapes_one_record_a_line():
    record_with("a\u2028b\u2029c\x85d")
    text = export()
    assert "\u2028" not in text
    assert "\u2029" not in text
    assert "\x85" not in text
    assert "a\\u2028b\\u2029c\\u0085d" in text
    assert len(text.splitlines()) == text.count("\n")


def test_a_file_exported_before_the_escapes_still_imports():
    raw = '{"type":"actor","slug":"a","name":"A","kind":"state","description":"x\u2028y\x85z"}\n'
    outcome = import_text(raw, name="old.jsonl", by=OPERATOR)
    assert outcome.ok, outcome.errors
    assert Actor.objects.get().description == "x\u2028y\x85z"


def test_windows_line_ends_are_read_as_line_ends():
    text = '{"type":"actor","slug":"a","name":"A","kind":"state"}\r\n'
    assert import_text(text, name="win.jsonl", by=OPERATOR).ok


@EXAMPLES
@given(text=TEXT)
def test_any_text_round_trips_through_json_lines(text):
    round_trip(text, through_csv=False)


@EXAMPLES
@given(text=TEXT)
def test_any_text_round_trips_through_the_csv_form(text):
    round_trip(text, through_csv=True)
