"""The assistant's benchmark: the table it prints, the targets the test set must meet, and the
queries a proposal costs whatever the size of the record."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from claims.assistant import scoring
from claims.assistant.record import propose_from_record
from sources.models import Actor
from tests.factories import ActorFactory, AliasFactory, ClaimFactory, FigureFactory
from tests.test_assistant_running_example import ARTICLE, demo_actors  # noqa: F401  (a fixture)

SET = Path(__file__).parent / "data" / "assistant"
TARGETS = {"speaker": 0.8, "quote": 0.8, "figure": 0.8, "date": 0.7, "hop": 0.7, "response": 0.7}


def test_the_test_set_meets_the_targets_for_every_kind():
    score = scoring.score(
        scoring.articles(SET / "articles"), scoring.catalogue_from(SET / "actors.json")
    )
    for kind, target in TARGETS.items():
        tally = score.tallies[kind]
        assert tally.precision >= target, (kind, tally)
        assert tally.recall >= target, (kind, tally)


def test_the_benchmark_prints_a_row_per_kind_and_the_speed():
    out = StringIO()
    call_command("assistant_benchmark", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[2:8]] == list(scoring.KINDS)
    assert lines[-1].startswith("speed")


def test_the_benchmark_says_why_it_cannot_read_a_set(tmp_path):
    with pytest.raises(CommandError, match=r"holds no actors\.json"):
        call_command("assistant_benchmark", set=tmp_path)


def _record_of(size: int) -> None:
    for n in range(size):
        actor = ActorFactory(name=f"Observer Group {n}")
        AliasFactory(actor=actor, name=f"OG{n}")
    speaker = Actor.objects.get(slug="white-helmets")
    for _ in range(size):
        FigureFactory(claim=ClaimFactory(speaker=speaker, made_on=dt.date(2017, 9, 20)))


@pytest.mark.usefixtures("demo_actors")
@pytest.mark.parametrize("size", [1, 8])
def test_proposing_costs_the_same_queries_for_a_larger_record(size, django_assert_num_queries):
    _record_of(size)
    # actors, aliases, affiliations; candidate claims, their figures, their targets; incidents
    with django_assert_num_queries(7):
        propose_from_record(ARTICLE["text"], published_on=dt.date(2017, 9, 26), publisher="rt")
