"""World time: ``?as_of=`` shows only the claims and answers made by a day, and works out every
standing, count and originator from those alone; loose dates count by the end of their period."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from claims.models import Claim
from claims.record.claims import create_claim
from claimtracker.dates import Precision
from tests.factories import ActorFactory, IncidentFactory, UserFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(white_helmets, defence_ministry, reuters):
    """An allegation on 3 October 2015, a denial on 12 October, and a corroboration by another
    party dated only "October 2015"."""
    by = UserFactory(username="root", is_staff=True, is_superuser=True)
    incident = IncidentFactory(slug="strike", title="Strike on a hospital")
    common = {"incident": incident, "status": Claim.Status.PUBLISHED}

    def claim(speaker, summary, day, precision=Precision.DAY, answers=()) -> Claim:
        fields = {"speaker": speaker, "kind": Claim.Kind.EVENT, "summary": summary}
        fields |= {"made_on": day, "made_precision": precision, **common}
        return create_claim(by=by, fields=fields, answers=answers, accused=[defence_ministry])

    allegation = claim(white_helmets, "The White Helmets say a hospital was hit.", D(3))
    denial = claim(
        defence_ministry,
        "The Ministry says no hospital was hit.",
        D(12),
        answers=[{"answers": allegation, "kind": "denies"}],
    )
    witness = ActorFactory(name="A witness group", slug="witnesses")
    backing = claim(
        witness,
        "The witness group says the hospital was hit.",
        D(1),
        Precision.MONTH,
        answers=[{"answers": allegation, "kind": "corroborates"}],
    )
    return SimpleNamespace(allegation=allegation, denial=denial, backing=backing, reuters=reuters)


def D(day: int) -> dt.date:
    return dt.date(2015, 10, day)


def listed(client, as_of: str) -> dict[int, str]:
    rows = client.get(f"/api/v1/claims/?as_of={as_of}").json()["results"]
    return {row["id"]: row["standing"] for row in rows}


def test_the_claim_list_as_of_a_day_hides_later_claims_and_works_out_standing_then(client, october):
    allegation, denial, backing = october.allegation.pk, october.denial.pk, october.backing.pk
    assert listed(client, "2015-10-10") == {allegation: "unanswered"}
    assert listed(client, "2015-10-20") == {allegation: "denied", denial: "unanswered"}
    # "October 2015" counts only once the whole month has passed.
    assert listed(client, "2015-10-31") == {
        allegation: "contested",
        denial: "unanswered",
        backing: "unanswered",
    }


def test_a_claim_detail_as_of_a_day_lists_only_the_answers_made_by_then(client, october):
    url = f"/api/v1/claims/{october.allegation.pk}/"
    then = client.get(url, {"as_of": "2015-10-20"}).json()
    assert then["standing"] == "denied"
    assert [r["by"]["id"] for r in then["responses_received"]] == [october.denial.pk]
    assert then["independent_originator_count"] == 1
    later = client.get(url, {"as_of": "2015-11-01"}).json()
    assert later["standing"] == "contested"
    assert later["independent_originator_count"] == 2


def test_the_api_timeline_as_of_a_day_hides_later_answers(client, october):
    rows = client.get("/api/v1/timeline/", {"as_of": "2015-10-10"}).json()["results"]
    assert [(row["id"], row["standing"]) for row in rows] == [(october.allegation.pk, "unanswered")]


def test_an_as_of_that_is_not_a_date_is_refused_by_its_field(client, october):
    for url in ("/api/v1/claims/", f"/api/v1/claims/{october.allegation.pk}/", "/api/v1/timeline/"):
        answer = client.get(url, {"as_of": "10/10/2015"})
        assert answer.status_code == 400, url
        assert "YYYY-MM-DD" in fields(answer)["as_of"][0]
    for url in ("/timeline/", "/incidents/strike/", f"/claims/{october.allegation.pk}/"):
        page = client.get(url, {"as_of": "10/10/2015"})
        assert page.status_code == 200, url
        assert 'id="id_as_of-error"' in page.content.decode()


def test_the_incident_page_as_of_a_day_shows_what_had_been_claimed_and_denied_by_then(
    client, october
):
    page = client.get("/incidents/strike/", {"as_of": "2015-10-20"}).content.decode()
    assert "As the record stood in the world on 20 October 2015" in page
    assert "Loose dates count by the end of their period" in page
    assert "The Ministry says no hospital was hit." in page
    assert "The witness group says" not in page
    early = client.get("/incidents/strike/", {"as_of": "2015-10-10"}).content.decode()
    assert "The Ministry says no hospital was hit." not in early


def test_the_timeline_claim_and_actor_pages_take_the_date_picker(client, october):
    timeline = client.get("/timeline/", {"as_of": "2015-10-10"}).content.decode()
    assert "The White Helmets say a hospital was hit." in timeline
    assert "The Ministry says no hospital was hit." not in timeline
    assert 'type="date"' in timeline
    claim = client.get(f"/claims/{october.allegation.pk}/", {"as_of": "2015-10-10"})
    assert claim.context["claim"].standing == "unanswered"
    assert "The Ministry says" not in claim.content.decode()
    actor = client.get(
        "/actors/russian-defence-ministry/", {"as_of": "2015-10-10"}
    ).content.decode()
    assert "The Ministry says no hospital was hit." not in actor
    assert "The White Helmets say a hospital was hit." in actor  # it is accused there


def test_as_of_adds_no_query_to_the_claim_list_or_the_incident_page(
    client, october, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in ("/api/v1/claims/", "/incidents/strike/", "/timeline/"):
        with CaptureQueriesContext(connection) as plain:
            client.get(url)
        with django_assert_max_num_queries(len(plain)):
            client.get(url, {"as_of": "2015-10-20"})
