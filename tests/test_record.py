"""The write path itself: parts given whole, one versioned write, the workflow table."""

from __future__ import annotations

import pytest

from claims.ledger.history import history_of
from claims.models import Attribution, CasualtyFigure, ChangeRecord, Claim, Evidence
from claims.record.claims import save_statement
from claims.record.errors import RecordInvalid, Refused
from claims.record.evidence import save_evidence
from claims.record.responses import link_response
from claims.record.workflow import MOVES, OPERATOR, check_move
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    EvidenceFactory,
    FigureFactory,
)

pytestmark = pytest.mark.django_db


def test_a_figure_changed_in_place_keeps_its_row_and_a_dropped_one_is_removed() -> None:
    claim = ClaimFactory(status="draft")
    kept, dropped = FigureFactory(claim=claim, low=22, high=22), FigureFactory(claim=claim)
    kept.low = kept.high = 30

    save_statement(by=OPERATOR, claim=claim, figures=[kept])

    assert list(claim.figures.values_list("pk", "low")) == [(kept.pk, 30)]
    assert not CasualtyFigure.objects.filter(pk=dropped.pk).exists()
    claim.refresh_from_db()
    assert claim.version == 2  # one versioned write for the statement and its parts


def test_two_hops_of_a_chain_swap_places_in_one_save() -> None:
    claim = ClaimFactory(status="draft")
    first = AttributionFactory(claim=claim, position=1)
    second = AttributionFactory(claim=claim, position=2)
    first.position, second.position = 2, 1

    save_statement(by=OPERATOR, claim=claim, chain=[second, first])

    assert list(claim.attributions.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_a_save_that_changes_nothing_writes_nothing() -> None:
    claim = ClaimFactory(status="draft")
    figure = FigureFactory(claim=claim)
    records = ChangeRecord.objects.count()

    save_statement(by=OPERATOR, claim=Claim.objects.get(pk=claim.pk), figures=[figure])

    assert ChangeRecord.objects.count() == records
    assert Claim.objects.get(pk=claim.pk).version == 1


def test_every_broken_rule_is_reported_at_its_path_and_nothing_is_written() -> None:
    claim = ClaimFactory(status="draft")
    bad = CasualtyFigure(category="civilians", outcome="killed", low=10, high=5)
    records = ChangeRecord.objects.count()

    with pytest.raises(RecordInvalid) as invalid:
        save_statement(by=OPERATOR, claim=claim, values={"summary": ""}, figures=[bad])

    assert "summary" in invalid.value.errors
    assert "0" in invalid.value.errors["figures"]
    assert ChangeRecord.objects.count() == records


def test_a_row_of_another_claim_cannot_be_passed_as_a_part() -> None:
    other = FigureFactory(claim=ClaimFactory())
    claim = ClaimFactory(status="draft")

    with pytest.raises(RecordInvalid) as invalid:
        save_statement(by=OPERATOR, claim=claim, figures=[other])

    assert "belongs to another" in str(invalid.value.errors["figures"]["0"])


def test_an_editor_is_refused_a_change_to_a_published_claims_parts(editor, reviewer) -> None:
    claim = ClaimFactory(status="published")

    with pytest.raises(Refused, match="Only reviewers change a claim once it is published"):
        save_statement(by=editor, claim=claim, figures=[CasualtyFigure(low=1, high=1)])
    save_statement(
        by=reviewer,
        claim=claim,
        figures=[
            CasualtyFigure(
                category="civilians", outcome="killed", qualifier="exactly", low=1, high=1
            )
        ],
    )

    assert claim.figures.count() == 1


def test_an_editor_may_create_drafts_but_not_publish(editor) -> None:
    check_move(editor, None, Claim.Status.DRAFT)
    with pytest.raises(Refused, match=r"Only reviewers publish or withdraw claims\."):
        check_move(editor, None, Claim.Status.PUBLISHED)
    with pytest.raises(Refused, match=r"Only reviewers publish or withdraw claims\."):
        check_move(editor, Claim.Status.DRAFT, Claim.Status.PUBLISHED)


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        ("published", "draft"),
        ("withdrawn", "published"),
        ("withdrawn", "draft"),
        ("draft", "withdrawn"),
    ],
)
def test_a_move_outside_the_table_is_invalid_for_everyone(current: str, wanted: str) -> None:
    assert (current, wanted) not in MOVES
    with pytest.raises(RecordInvalid) as invalid:
        check_move(OPERATOR, current, wanted)
    assert invalid.value.errors == {"status": [f"A {current} claim cannot become {wanted}."]}


def test_nobody_signed_in_may_write_anything() -> None:
    with pytest.raises(Refused):
        check_move(None, None, Claim.Status.DRAFT)


def test_an_answer_from_a_published_claim_needs_a_reviewer(editor, reviewer) -> None:
    allegation, denial = ClaimFactory(status="published"), ClaimFactory(status="published")

    with pytest.raises(Refused):
        link_response(by=editor, claim=denial, answers=allegation, kind="denies")
    link_response(by=reviewer, claim=denial, answers=allegation, kind="denies")

    assert denial.responses_made.get().answers == allegation


def test_an_evidence_edit_writes_only_its_changed_fields(editor) -> None:
    evidence = EvidenceFactory(claim=ClaimFactory(status="draft"), description="Before.")
    stale = Evidence.objects.get(pk=evidence.pk)
    # The archiver records its result after the editor's copy was read.
    Evidence.objects.filter(pk=evidence.pk).update(archive_sha256="ab" * 32)

    save_evidence(by=editor, values={"description": "After."}, evidence=stale)

    evidence.refresh_from_db()
    assert (evidence.description, evidence.archive_sha256) == ("After.", "ab" * 32)


def test_the_history_names_the_writer_given_to_the_service(editor) -> None:
    claim = ClaimFactory(status="draft")

    save_statement(by=editor, claim=claim, values={"summary": "Reworded by the editor."})

    record = history_of(claim).last()
    assert record.user_id == str(editor.pk)


def test_a_new_statement_gets_its_hops_numbered_from_the_speaker_outwards() -> None:
    speaker, agency, outlet = ActorFactory(), ActorFactory(), ActorFactory()
    claim = Claim(
        speaker=speaker,
        kind="event",
        summary="A speaker says something happened.",
        made_on="2017-09-26",
    )

    save_statement(
        by=OPERATOR,
        claim=claim,
        chain=[Attribution(actor=agency, verb="cited"), Attribution(actor=outlet, verb="reported")],
    )

    assert [(h.position, h.actor) for h in claim.chain] == [(1, agency), (2, outlet)]


def test_an_editor_changes_an_actor_only_drafts_use_but_not_one_the_public_sees(
    editor_client, reviewer_client
) -> None:
    hidden, shown = ActorFactory(slug="hidden-actor"), ActorFactory(slug="shown-actor")
    ClaimFactory(speaker=hidden, status="draft")
    ClaimFactory(speaker=shown, status="published")

    own = editor_client.patch("/api/v1/actors/hidden-actor/", {"description": "Edited."})
    public = editor_client.patch("/api/v1/actors/shown-actor/", {"description": "Edited."})
    reviewed = reviewer_client.patch("/api/v1/actors/shown-actor/", {"description": "Edited."})

    assert own.status_code == 200
    assert public.status_code == 403
    assert "once a published claim uses it" in public.json()["detail"]
    assert reviewed.status_code == 200
    shown.refresh_from_db()
    assert shown.description == "Edited."


def test_the_admin_shows_an_editor_a_public_actor_read_only(client, editor) -> None:
    shown = ActorFactory()
    ClaimFactory(speaker=shown, status="published")
    client.force_login(editor)

    page = client.get(f"/admin/sources/actor/{shown.pk}/change/")
    refused = client.post(f"/admin/sources/actor/{shown.pk}/change/", {"name": "Renamed"})

    assert page.status_code == 200
    assert b'name="name"' not in page.content  # shown, not editable
    assert refused.status_code == 403
    shown.refresh_from_db()
    assert shown.name != "Renamed"
