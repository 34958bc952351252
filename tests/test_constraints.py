"""Invariants the database holds as named constraints, and the messages model validation gives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import Attribution, CasualtyFigure, Incident, Response
from tests.factories import (
    AttributionFactory,
    ClaimFactory,
    EvidenceFactory,
    FigureFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def _rejected_by_database(constraint: str, create) -> None:
    """The row is refused by the database itself, naming the constraint, and nothing is left."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        create()
    assert constraint in str(error.value) or "UNIQUE constraint failed" in str(error.value)


@pytest.mark.parametrize(
    ("constraint", "values"),
    [
        ("figure_low_at_most_high", {"low": 20, "high": 10, "qualifier": "between"}),
        ("figure_low_not_negative", {"low": -1, "high": 5, "qualifier": "between"}),
        ("figure_high_not_negative", {"low": None, "high": -3, "qualifier": "about"}),
        ("figure_has_a_number", {"low": None, "high": None, "qualifier": "about"}),
        ("figure_exact_is_one_number", {"low": 150, "high": 152, "qualifier": "exactly"}),
        ("figure_lower_bound_is_open_ended", {"low": 150, "high": 200, "qualifier": "more_than"}),
        ("figure_upper_bound_has_no_low", {"low": 3, "high": 40, "qualifier": "up_to"}),
    ],
)
def test_database_rejects_an_impossible_casualty_figure(constraint: str, values: dict) -> None:
    claim = ClaimFactory()
    _rejected_by_database(constraint, lambda: FigureFactory(claim=claim, **values))
    assert not CasualtyFigure.objects.filter(claim=claim).exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"low": 20, "high": 10, "qualifier": "between"}, "high", "cannot be above"),
        ({"low": -1, "high": 5, "qualifier": "between"}, "low", "cannot be negative"),
        ({"low": None, "high": None, "qualifier": "about"}, "low", "Give a low figure"),
        ({"low": 150, "high": 152, "qualifier": "exactly"}, "high", "same low and high"),
        ({"low": 150, "high": 200, "qualifier": "more_than"}, "high", "a low and no high"),
        ({"low": 3, "high": 40, "qualifier": "up_to"}, "low", "a high and no low"),
    ],
)
def test_model_validation_explains_a_bad_figure_on_its_field(
    values: dict, field: str, message: str
) -> None:
    figure = CasualtyFigure(claim=ClaimFactory(), category="civilians", outcome="killed", **values)
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_open_ended_figure_is_valid_and_says_so() -> None:
    figure = FigureFactory(low=150, high=None, qualifier="more_than", as_stated="over 150")
    figure.full_clean()
    assert figure.is_open_ended
    assert figure.range_display == "more than 150"


def test_database_rejects_a_claim_answering_itself() -> None:
    claim = ClaimFactory()
    _rejected_by_database(
        "response_not_to_itself", lambda: ResponseFactory(claim=claim, answers=claim)
    )


def test_model_validation_refuses_a_claim_answering_itself() -> None:
    claim = ClaimFactory()
    with pytest.raises(ValidationError) as error:
        Response(claim=claim, answers=claim, kind="denies").full_clean()
    assert error.value.message_dict["answers"] == ["A claim cannot respond to itself."]


def test_database_allows_one_response_per_claim_answer_and_kind() -> None:
    first = ResponseFactory(kind="denies")
    _rejected_by_database(
        "response_unique_per_kind",
        lambda: ResponseFactory(claim=first.claim, answers=first.answers, kind="denies"),
    )
    # A different kind of answer between the same two claims is a separate link.
    ResponseFactory(claim=first.claim, answers=first.answers, kind="attacks_credibility")
    assert Response.objects.filter(claim=first.claim).count() == 2


def test_model_validation_reports_a_duplicate_response() -> None:
    first = ResponseFactory(kind="disputes")
    with pytest.raises(ValidationError) as error:
        Response(claim=first.claim, answers=first.answers, kind="disputes").full_clean()
    assert "already answers that claim in this way" in str(error.value)


def test_only_the_speaker_can_retract_a_claim() -> None:
    allegation = ClaimFactory()
    someone_else = ClaimFactory()
    with pytest.raises(ValidationError) as error:
        Response(claim=someone_else, answers=allegation, kind="retracts").full_clean()
    assert "Only the speaker" in error.value.message_dict["kind"][0]


def test_an_answer_cannot_predate_the_claim_it_answers() -> None:
    allegation = ClaimFactory(made_on=dt.date(2017, 9, 26))
    earlier = ClaimFactory(made_on=dt.date(2017, 9, 1))
    with pytest.raises(ValidationError) as error:
        Response(claim=earlier, answers=allegation, kind="denies").full_clean()
    assert "dated before" in error.value.message_dict["answers"][0]


def test_database_keeps_attribution_positions_unique_per_claim() -> None:
    hop = AttributionFactory(position=1)
    _rejected_by_database(
        "attribution_position_unique", lambda: AttributionFactory(claim=hop.claim, position=1)
    )
    AttributionFactory(claim=hop.claim, position=2)
    assert Attribution.objects.filter(claim=hop.claim).count() == 2


def test_database_rejects_position_zero() -> None:
    _rejected_by_database("attribution_position_from_one", lambda: AttributionFactory(position=0))


def test_model_validation_names_the_duplicate_position() -> None:
    hop = AttributionFactory(position=1)
    duplicate = Attribution(claim=hop.claim, position=1, actor=hop.actor, verb="cited")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "own position" in str(error.value)


def test_incident_cannot_end_before_it_starts() -> None:
    _rejected_by_database(
        "incident_starts_before_it_ends",
        lambda: IncidentFactory(start_on=dt.date(2017, 9, 20), end_on=dt.date(2017, 9, 1)),
    )
    incident = Incident(
        title="x", slug="x", start_on=dt.date(2017, 9, 20), end_on=dt.date(2017, 9, 1)
    )
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert "end before it starts" in error.value.message_dict["end_on"][0]


def test_withdrawn_claim_needs_a_reason() -> None:
    _rejected_by_database("claim_withdrawal_has_reason", lambda: ClaimFactory(status="withdrawn"))


def test_evidence_not_produced_cannot_have_a_url() -> None:
    _rejected_by_database(
        "evidence_not_produced_has_no_url",
        lambda: EvidenceFactory(availability="not_produced", url="https://example.org/v.mp4"),
    )


def test_quote_not_in_english_needs_a_translation() -> None:
    claim = ClaimFactory.build(
        speaker=ClaimFactory().speaker, quote="Не наносят ударов", quote_language="ru"
    )
    with pytest.raises(ValidationError) as error:
        claim.full_clean()
    assert "translation" in error.value.message_dict
    claim.translation = "They do not strike."
    claim.full_clean()


def test_week_precision_dates_are_stored_as_the_monday_of_that_week() -> None:
    claim = ClaimFactory.build(
        speaker=ClaimFactory().speaker, made_on=dt.date(2017, 9, 21), made_precision="week"
    )
    claim.full_clean()
    assert claim.made_on == dt.date(2017, 9, 18)
    assert claim.made_period == (dt.date(2017, 9, 18), dt.date(2017, 9, 24))
