"""generate_data: synthetic records, clearly marked, skewed like real data, all recorded."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from claims.devdata import synthetic
from claims.devdata.synthetic_writers import CopyWriter, writer_for
from claims.ledger.history import recorded_models
from claims.models import (
    Attribution,
    CasualtyFigure,
    ChangeRecord,
    Claim,
    Evidence,
    Incident,
    Response,
    Standing,
)
from sources.models import Actor, Document

pytestmark = pytest.mark.django_db


def generate(claims: int, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("generate_data", "--claims", str(claims), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several batches even for a few hundred claims, so the batch pipeline is exercised."""
    monkeypatch.setattr(synthetic, "BATCH", 120)


def test_generates_the_asked_number_of_marked_claims() -> None:
    out, err = generate(400)
    assert Claim.objects.count() == 400
    assert not Claim.objects.exclude(summary__startswith="[synthetic]").exists()
    assert not Actor.objects.exclude(description__startswith="[synthetic]").exists()
    assert not Document.objects.exclude(title__startswith="[synthetic]").exists()
    assert not Incident.objects.exclude(title__startswith="[synthetic]").exists()
    assert Actor.objects.count() == 20
    assert Incident.objects.count() == 8
    assert "Added" in out
    assert "100% (400/400)" in err


def test_dry_run_adds_nothing_and_scales_parents_with_the_claims() -> None:
    out, _ = generate(1_000_000, "--dry-run")
    assert "50000 actors, 100000 documents and 20000 incidents" in out
    assert not Claim.objects.exists()
    assert not Actor.objects.exists()


def test_a_few_actors_speak_a_lot() -> None:
    generate(1000)
    per_speaker = sorted(Counter(Claim.objects.values_list("speaker_id", flat=True)).values())
    assert per_speaker[-1] > 5 * per_speaker[len(per_speaker) // 2]


def test_most_incidents_draw_few_claims_and_a_few_draw_many() -> None:
    generate(3000)
    per_incident = sorted(Counter(Claim.objects.values_list("incident_id", flat=True)).values())
    assert len(per_incident) > 40  # nearly all of the 60 incidents have a claim
    assert per_incident[-1] > 10 * per_incident[len(per_incident) // 2]


def test_children_come_in_proportion() -> None:
    generate(2000)
    casualty_counts = Claim.objects.filter(kind=Claim.Kind.CASUALTY_COUNT).count()
    assert 0.25 * 2000 < casualty_counts < 0.45 * 2000
    # One figure on each casualty count, none on other kinds.
    assert CasualtyFigure.objects.count() == casualty_counts
    assert not CasualtyFigure.objects.exclude(claim__kind=Claim.Kind.CASUALTY_COUNT).exists()
    assert 2000 * 1.5 < Attribution.objects.count() < 2000 * 2.5
    assert 0.05 * 2000 < Response.objects.count() < 0.35 * 2000
    assert 0.05 * 2000 < Evidence.objects.count() < 0.15 * 2000
    assert not Evidence.objects.exclude(description__startswith="[synthetic]").exists()


def test_every_claim_has_a_chain_and_answers_are_never_earlier() -> None:
    generate(500)
    assert Attribution.objects.filter(position=1).count() == 500
    # The last hop of each chain names the document the record read.
    assert Attribution.objects.filter(document__isnull=False).count() == 500
    assert Response.objects.exists()
    for response in Response.objects.select_related("claim", "answers"):
        assert response.claim.made_on >= response.answers.made_on
        assert response.claim.incident_id == response.answers.incident_id


def test_generated_rows_are_in_the_history_and_verify(small_batches: None) -> None:
    generate(300)
    assert ChangeRecord.objects.filter(table_name="claims_claim").count() == 300
    assert set(ChangeRecord.objects.values_list("context", flat=True)) == {"generate_data"}
    call_command("verify_integrity", stdout=StringIO())


def test_the_same_seed_gives_the_same_records(small_batches: None) -> None:
    def contents(claims: list[Claim]) -> list[tuple]:
        first_actor = min(c.speaker_id for c in claims)
        return [(c.quote, c.kind, c.status, c.made_on, c.speaker_id - first_actor) for c in claims]

    generate(300, "--seed", "7")
    first = list(Claim.objects.order_by("id"))
    generate(300, "--seed", "7")
    second = list(Claim.objects.order_by("id"))[300:]
    generate(300, "--seed", "8")
    third = list(Claim.objects.order_by("id"))[600:]
    assert contents(first) == contents(second)
    assert contents(first) != contents(third)
    # Dataset identifiers never repeat, even for the same seed.
    assert Claim.objects.values("uid").distinct().count() == 900


def test_running_twice_adds_a_second_set() -> None:
    for _ in range(2):
        generate(50)
    assert Claim.objects.count() == 100


def test_zero_claims_is_refused() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_data", "--claims", "0")


@pytest.mark.postgres
def test_copy_path_rows_and_history_agree(small_batches: None) -> None:
    assert isinstance(writer_for(connection), CopyWriter)
    generate(500)
    for model in recorded_models():
        table = model._meta.db_table
        recorded = ChangeRecord.objects.filter(table_name=table, operation="INSERT").count()
        assert recorded == model.objects.count(), table
    call_command("verify_integrity", stdout=StringIO())


@pytest.mark.postgres
def test_copy_path_fills_left_out_columns_with_model_defaults() -> None:
    generate(200)
    claims = Claim.objects.all()
    assert claims.filter(version=1, quote_check="unchecked", quote_anchor={}).count() == 200
    assert not claims.filter(created_at__isnull=True).exists()
    assert Document.objects.filter(kind=Document.Kind.ARTICLE, archive_status="none").count() == 20
    # Ids came from the sequences, so ordinary inserts afterwards do not collide.
    actor = Actor.objects.create(name="After", slug="after", kind=Actor.Kind.PERSON)
    assert actor.pk > max(Actor.objects.exclude(pk=actor.pk).values_list("pk", flat=True))


def test_updates_and_retractions_come_from_the_answered_claims_own_speaker() -> None:
    generate(2000)
    own_only = Response.objects.filter(kind__in=list(Response.OWN_SPEAKER_ONLY))
    assert own_only.filter(kind=Response.Kind.UPDATES).exists()
    assert not own_only.exclude(claim__speaker=F("answers__speaker")).exists()
    superseded = Claim.objects.with_standing().filter(annotated_standing=Standing.SUPERSEDED)
    assert superseded.exists()
