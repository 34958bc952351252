"""generate_data: synthetic records, clearly marked, skewed like real data, all recorded."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.models import Attribution, ChangeRecord, Claim, Incident, Response
from sources.models import Actor

pytestmark = pytest.mark.django_db


def test_generates_the_asked_number_of_marked_claims() -> None:
    out = StringIO()
    call_command("generate_data", "--claims", "400", stdout=out, stderr=StringIO())
    assert Claim.objects.count() == 400
    assert not Claim.objects.exclude(summary__startswith="[synthetic]").exists()
    assert not Actor.objects.exclude(description__startswith="[synthetic]").exists()
    assert Actor.objects.count() == 20
    assert Incident.objects.count() == 8
    assert "Added" in out.getvalue()


def test_a_few_actors_speak_a_lot() -> None:
    call_command("generate_data", "--claims", "1000", stdout=StringIO(), stderr=StringIO())
    per_speaker = sorted(Counter(Claim.objects.values_list("speaker_id", flat=True)).values())
    assert per_speaker[-1] > 5 * per_speaker[len(per_speaker) // 2]


def test_every_claim_has_a_chain_and_answers_are_never_earlier() -> None:
    call_command("generate_data", "--claims", "500", stdout=StringIO(), stderr=StringIO())
    assert Attribution.objects.filter(position=1).count() == 500
    assert Response.objects.exists()
    for response in Response.objects.select_related("claim", "answers"):
        assert response.claim.made_on >= response.answers.made_on


def test_generated_rows_are_in_the_history_and_verify() -> None:
    call_command("generate_data", "--claims", "200", stdout=StringIO(), stderr=StringIO())
    assert ChangeRecord.objects.filter(table_name="claims_claim").count() == 200
    call_command("verify_integrity", stdout=StringIO())


def test_running_twice_adds_a_second_set() -> None:
    for _ in range(2):
        call_command("generate_data", "--claims", "50", stdout=StringIO(), stderr=StringIO())
    assert Claim.objects.count() == 100


def test_zero_claims_is_refused() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_data", "--claims", "0")
