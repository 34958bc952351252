"""How an actor answers the allegations against it: the actor page's section and
/api/v1/actors/{slug}/responses/, checked number by number on a hand-built record."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, ClaimTarget, Response
from claims.reading.answers import WALKING_BACK, answers_of
from claimtracker.dates import Precision
from sources.models import Actor
from tests.factories import ActorFactory, ClaimFactory, ClaimTargetFactory, ResponseFactory
from tests.problems import fields
from tests.test_pages_claims import get_ok, text_of

pytestmark = pytest.mark.django_db

DRAFT = Claim.Status.DRAFT
PUBLIC = {Claim.Status.PUBLISHED}
EVERY = set(Claim.Status.values)
URL = "/api/v1/actors/the-ministry/responses/"


def said(speaker: Actor, day: dt.date, precision: str = Precision.DAY, **extra) -> Claim:
    return ClaimFactory(
        speaker=speaker,
        made_on=day,
        made_precision=precision,
        summary=extra.pop("summary", f"{speaker.name} says something ({day})."),
        **extra,
    )


def alleging(speaker: Actor, against: Actor, day: dt.date, **extra) -> Claim:
    claim = said(speaker, day, **extra)
    ClaimTargetFactory(claim=claim, actor=against, role=ClaimTarget.Role.ACCUSED)
    return claim


def answer(claim: Claim, answers: Claim, kind: str) -> Response:
    return ResponseFactory(claim=claim, answers=answers, kind=kind)


@pytest.fixture
def record(db: None) -> SimpleNamespace:
    """The ministry, accused by three parties; every number below is worked out by hand.

    Public (published claims only):
    - A1 (20 Sep) denied by D1 (25 Sep): 5 days; D1 later corrected by C1 (1 Oct).
    - A2 (week of 18–24 Sep) disputed by D2 (26 Sep): 2 to 8 days; denied by D3 (October:
      7 to 43 days, not its first answer); D3 corrected only by a draft (Cd).
    - A3 (10 Sep) attacked the same day by D4: 0 days.
    - A4 (5 Sep) never answered; A5 (6 Sep) answered only by a draft denial (Dd, 16 Sep).
    - Not allegations: A6 is a draft; A7 names the ministry as subject only; A8 is the
      ministry's own claim naming itself accused.
    - D5 (5 Oct) corroborates K, a claim by another party that accuses no one.
    """
    ministry = ActorFactory(name="The Ministry", slug="the-ministry")
    helmets = ActorFactory(name="Rescuers", slug="rescuers")
    agency = ActorFactory(name="Agency", slug="agency")
    monitor = ActorFactory(name="Monitor", slug="monitor")
    sep = lambda day: dt.date(2017, 9, day)  # noqa: E731
    r = SimpleNamespace(ministry=ministry)
    r.a1 = alleging(helmets, ministry, sep(20), summary="Rescuers say the ministry struck A1.")
    r.a2 = alleging(helmets, ministry, sep(18), precision=Precision.WEEK)
    r.a3 = alleging(agency, ministry, sep(10))
    r.a4 = alleging(monitor, ministry, sep(5), summary="Monitor says the ministry struck A4.")
    r.a5 = alleging(monitor, ministry, sep(6), summary="Monitor says the ministry struck A5.")
    r.a6 = alleging(monitor, ministry, sep(12), status=DRAFT, summary="Monitor draft A6.")
    r.a7 = said(helmets, sep(21))
    ClaimTargetFactory(claim=r.a7, actor=ministry, role=ClaimTarget.Role.SUBJECT)
    r.a8 = alleging(ministry, ministry, sep(22))
    r.k = said(agency, sep(30))

    kinds = Response.Kind
    r.d1 = said(ministry, sep(25))
    answer(r.d1, r.a1, kinds.DENIES)
    r.c1 = said(ministry, dt.date(2017, 10, 1))
    answer(r.c1, r.d1, kinds.CORRECTS)
    r.d2 = said(ministry, sep(26))
    answer(r.d2, r.a2, kinds.DISPUTES)
    r.d3 = said(ministry, dt.date(2017, 10, 1), Precision.MONTH)
    answer(r.d3, r.a2, kinds.DENIES)
    r.cd = said(ministry, dt.date(2017, 11, 2), status=DRAFT)
    answer(r.cd, r.d3, kinds.CORRECTS)
    r.d4 = said(ministry, sep(10))
    answer(r.d4, r.a3, kinds.ATTACKS_CREDIBILITY)
    r.dd = said(ministry, sep(16), status=DRAFT, summary="The ministry's draft denial of A5.")
    answer(r.dd, r.a5, kinds.DENIES)
    r.d5 = said(ministry, dt.date(2017, 10, 5))
    answer(r.d5, r.k, kinds.CORROBORATES)
    return r


def kinds_of(found) -> list[tuple[str, int, int]]:
    return [(k.kind, k.allegations, k.responses_to_others) for k in found.kinds]


def test_every_number_the_public_reads(record: SimpleNamespace) -> None:
    found = answers_of(record.ministry, PUBLIC)

    assert (found.allegations, found.answered, found.unanswered) == (5, 3, 2)
    assert kinds_of(found) == [
        ("denies", 2, 2),
        ("attacks_credibility", 1, 1),
        ("disputes", 1, 1),
        ("corroborates", 0, 1),
    ]
    # First answers: A1 [5, 5], A2 [2, 8], A3 [0, 0].
    assert (found.median_delay.low, found.median_delay.high) == (2, 5)
    assert found.median_delay.text == "between 2 and 5 days"
    assert found.fastest.text == "0 days"
    assert found.slowest.text == "between 5 and 8 days"
    assert found.loose_delays == 1
    assert [(w.days, w.at_least, w.at_most) for w in found.within] == [
        (0, 1, 1),
        (7, 2, 3),
        (30, 3, 3),
    ]
    assert (found.denials, found.walked_back) == (2, 1)
    # C1 corrects D1, its own claim: a revision, not an answer to anyone else.
    assert [(r.kind, r.times) for r in found.revisions] == [("corrects", 1)]


def test_a_denial_updated_by_its_own_speaker_is_walked_back(record: SimpleNamespace) -> None:
    update = said(record.ministry, dt.date(2017, 10, 3))
    answer(update, record.d4, Response.Kind.UPDATES)  # D4 attacks, it does not deny: no change
    assert answers_of(record.ministry, PUBLIC).walked_back == 1
    answer(update, record.d3, Response.Kind.UPDATES)

    found = answers_of(record.ministry, PUBLIC)

    assert (found.denials, found.walked_back) == (2, 2)
    assert [(r.kind, r.times) for r in found.revisions] == [("updates", 2), ("corrects", 1)]


def test_a_draft_reader_counts_drafts_too(record: SimpleNamespace) -> None:
    found = answers_of(record.ministry, EVERY)

    # A6 joins the allegations; the draft denial Dd answers A5 (10 days) and the draft
    # correction Cd walks back D3.
    assert (found.allegations, found.answered, found.unanswered) == (6, 4, 2)
    assert kinds_of(found)[0] == ("denies", 3, 3)
    # Lower bounds 0, 2, 5, 10 and upper 0, 5, 8, 10: the medians of four are means of two.
    assert found.median_delay.text == "between 3.5 and 6.5 days"
    assert (found.denials, found.walked_back) == (3, 2)
    assert [(r.kind, r.times) for r in found.revisions] == [("corrects", 2)]


def test_as_of_a_day_only_what_was_said_by_then_counts(record: SimpleNamespace) -> None:
    found = answers_of(record.ministry, PUBLIC, dt.date(2017, 9, 30))

    # D3 (October) and C1 (1 Oct) and D5 (5 Oct) were not yet said.
    assert (found.allegations, found.answered) == (5, 3)
    assert kinds_of(found) == [
        ("attacks_credibility", 1, 1),
        ("denies", 1, 1),
        ("disputes", 1, 1),
    ]
    assert (found.denials, found.walked_back) == (1, 0)
    # As of 19 Sep the week of A2 has not passed, nor had A1 been made.
    early = answers_of(record.ministry, PUBLIC, dt.date(2017, 9, 19))
    assert (early.allegations, early.answered, early.median_delay.text) == (3, 1, "0 days")


def test_loose_months_and_years_give_the_widest_delays(db: None) -> None:
    accused, accuser = ActorFactory(), ActorFactory()
    alleged = alleging(accuser, accused, dt.date(2016, 1, 1), precision=Precision.YEAR)
    answer(said(accused, dt.date(2017, 2, 1), Precision.MONTH), alleged, Response.Kind.DENIES)

    found = answers_of(accused, PUBLIC)

    # From 31 Dec 2016 to 1 Feb 2017 at least; from 1 Jan 2016 to 28 Feb 2017 at most.
    assert found.median_delay.text == "between 32 and 424 days"


def test_walking_back_covers_corrections_updates_and_retractions() -> None:
    kinds = Response.Kind
    assert set(WALKING_BACK) == {kinds.CORRECTS, kinds.UPDATES, kinds.RETRACTS}
    assert Response.Kind.DENIES not in WALKING_BACK


# --- The actor page ---------------------------------------------------------------------------


def section_of(client: Client, query: str = "") -> str:
    words = text_of(get_ok(client, f"/actors/the-ministry/{query}"))
    return words.split("How The Ministry answers the allegations against it", 1)[1].split(
        "What The Ministry claimed", 1
    )[0]


def test_the_page_shows_every_number_to_the_public(client: Client, record: SimpleNamespace) -> None:
    words = section_of(client)

    assert "5 claims by other parties accuse The Ministry" in words
    assert "The Ministry answered 3 of them; 2 have no answer from it in the record" in words
    assert "First answer, median between 2 and 5 days after the allegation" in words
    assert "Fastest, slowest 0 days; between 5 and 8 days" in words
    assert "1 of these delays is a range of days" in words
    assert (
        "of 2 claims in which The Ministry denied an allegation against it, 1 was later answered"
        " by a claim of its own that corrects, gives an updated account of or retracts the denial"
    ) in words
    assert "The Ministry revised its own earlier claims 1 time" in words
    assert "corrects its own claim 1" in words
    assert "the same day 1 of 3" in words
    assert "within a week between 2 and 3 of 3" in words
    assert "within 30 days 3 of 3" in words
    assert "denies a claim 2 2" in words
    assert "attacks the credibility of a claim 1 1" in words
    assert "disputes a claim 1 1" in words
    assert "corroborates a claim 0 1" in words
    never = words.split("Allegations The Ministry never answered, oldest first", 1)[1]
    # A5's only answer is a draft: to the public it is unanswered, and the draft is not named.
    assert never.index("Monitor says the ministry struck A4.") < never.index("A5.")
    assert "draft" not in words.lower()
    assert "A1." not in never


def test_the_page_counts_a_draft_answer_for_a_draft_reader(
    client: Client, record: SimpleNamespace, analyst
) -> None:
    client.force_login(analyst)
    words = section_of(client)

    assert "6 claims by other parties accuse The Ministry" in words
    assert "answered 4 of them" in words
    never = words.split("never answered", 1)[1]
    assert "Monitor draft A6." in never
    assert "A5." not in never


def test_the_page_reads_as_of_and_says_so(client: Client, record: SimpleNamespace) -> None:
    words = section_of(client, "?as_of=2017-09-30")

    assert "As of 30 Sep 2017: only claims and answers made by then count" in words
    assert "of 1 claim in which The Ministry denied an allegation against it, 0 were" in words


def test_the_page_reports_a_malformed_as_of_in_the_section(
    client: Client, record: SimpleNamespace
) -> None:
    words = section_of(client, "?as_of=30-09-2017")

    assert "“30-09-2017” is not a date" in words
    assert "5 claims by other parties accuse The Ministry" in words


def test_an_actor_nobody_accuses_says_so(client: Client, record: SimpleNamespace) -> None:
    ActorFactory(name="Quiet", slug="quiet")
    said(ActorFactory(), dt.date(2017, 1, 1)).claim_targets.create(
        actor=Actor.objects.get(slug="quiet"), role=ClaimTarget.Role.SUBJECT
    )
    words = text_of(get_ok(client, "/actors/quiet/"))

    assert "No claim by another party in the record accuses Quiet." in words


# --- The API ----------------------------------------------------------------------------------


def test_the_api_gives_every_number_to_the_public(api_client, record: SimpleNamespace) -> None:
    body = api_client.get(URL).json()

    assert body["actor"]["slug"] == "the-ministry"
    assert body["as_of"] is None
    assert (body["allegations"], body["answered"], body["unanswered"]) == (5, 3, 2)
    assert [(k["kind"], k["allegations"], k["responses_to_others"]) for k in body["kinds"]] == [
        ("denies", 2, 2),
        ("attacks_credibility", 1, 1),
        ("disputes", 1, 1),
        ("corroborates", 0, 1),
    ]
    assert body["median_delay"] == {"low": 2.0, "high": 5.0, "text": "between 2 and 5 days"}
    assert body["fastest"] == {"low": 0.0, "high": 0.0, "text": "0 days"}
    assert body["slowest"] == {"low": 5.0, "high": 8.0, "text": "between 5 and 8 days"}
    assert body["loose_delays"] == 1
    assert [(w["days"], w["at_least"], w["at_most"]) for w in body["within"]] == [
        (0, 1, 1),
        (7, 2, 3),
        (30, 3, 3),
    ]
    assert (body["denials"], body["walked_back"]) == (2, 1)
    assert body["revisions"] == [{"kind": "corrects", "label": "corrects", "times": 1}]
    never = body["never_answered"]
    assert [c["id"] for c in never["results"]] == [record.a4.pk, record.a5.pk]
    assert never["results"][0]["speaker"]["slug"] == "monitor"
    assert never["next"] is None


def test_the_api_counts_drafts_for_a_draft_reader(
    api_client, record: SimpleNamespace, analyst
) -> None:
    api_client.force_authenticate(analyst)
    body = api_client.get(URL).json()

    assert (body["allegations"], body["answered"], body["denials"], body["walked_back"]) == (
        6,
        4,
        3,
        2,
    )
    assert body["median_delay"]["text"] == "between 3.5 and 6.5 days"
    assert [c["id"] for c in body["never_answered"]["results"]] == [record.a4.pk, record.a6.pk]


def test_the_api_reads_as_of(api_client, record: SimpleNamespace) -> None:
    body = api_client.get(URL, {"as_of": "2017-09-19"}).json()

    assert body["as_of"] == "2017-09-19"
    assert (body["allegations"], body["answered"], body["denials"]) == (3, 1, 0)
    assert [c["id"] for c in body["never_answered"]["results"]] == [record.a4.pk, record.a5.pk]


def test_the_never_answered_list_pages_on(api_client, record: SimpleNamespace, monkeypatch) -> None:
    monkeypatch.setattr("claims.api.answers.PER_PAGE", 1)
    first = api_client.get(URL, {"as_of": "2017-09-30"}).json()["never_answered"]

    assert [c["id"] for c in first["results"]] == [record.a4.pk]
    assert first["next"].endswith(f"?as_of=2017-09-30&after=2017-09-05.{record.a4.pk}")
    second = api_client.get(first["next"]).json()["never_answered"]
    assert ([c["id"] for c in second["results"]], second["next"]) == ([record.a5.pk], None)


def test_unknown_parameters_answer_400_naming_them(api_client, record: SimpleNamespace) -> None:
    answer = api_client.get(URL, {"asof": "2017-09-30", "speaker": "x"})

    assert answer.status_code == 400
    body = fields(answer)
    assert {"asof", "speaker"} <= set(body)
    assert "Unknown parameter. This endpoint accepts: after, as_of." in body["asof"][0]


@pytest.mark.parametrize(
    ("query", "field"), [({"as_of": "30-09-2017"}, "as_of"), ({"after": "soon"}, "after")]
)
def test_malformed_values_answer_400_naming_the_parameter(
    api_client, record: SimpleNamespace, query: dict, field: str
) -> None:
    answer = api_client.get(URL, query)

    assert answer.status_code == 400
    assert field in fields(answer)


def test_an_actor_the_public_may_not_see_is_not_found(api_client, db: None) -> None:
    hidden = ActorFactory(slug="hidden")
    said(hidden, dt.date(2017, 1, 1), status=DRAFT)

    assert api_client.get("/api/v1/actors/hidden/responses/").status_code == 404
    assert api_client.get("/api/v1/actors/nobody/responses/").status_code == 404


def test_the_endpoint_is_in_the_schema(api_client) -> None:
    paths = api_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    operation = paths["/api/v1/actors/{slug}/responses/"]["get"]

    assert {p["name"] for p in operation["parameters"]} == {"slug", "as_of", "after"}
    assert {"200", "400", "404"} <= set(operation["responses"])


# --- Queries ----------------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def more_allegations(ministry: Actor, count: int) -> None:
    """``count`` more allegations, each denied a day later, with a loose one among them."""
    for n in range(count):
        accuser = ActorFactory()
        alleged = alleging(accuser, ministry, dt.date(2018, 1, 1 + n))
        answer(said(ministry, dt.date(2018, 1, 2 + n)), alleged, Response.Kind.DENIES)
        alleging(accuser, ministry, dt.date(2018, 2, 1), precision=Precision.MONTH)


# The record's head (the ETag and the kept parts' key); the actor + its 3 prefetches; the three
# keyset-paged claim lists (made, accusing it, about it as their subject: 2 each); documents;
# the band's span and periods; its figures (none here: 1); the answers' kinds, delays and
# denials; the never-answered list (its page + what its claims answer).
PAGE = 20
# The record's head (the key of the kept answer, claims/api/kept.py); the actor and its aliases
# (2); the record's head again (the key of the kept aggregates); the answers' kinds, delays and
# denials; the never-answered list (its speakers joined in).
API = 8


@pytest.mark.parametrize(("url", "pinned"), [("/actors/the-ministry/", PAGE), (URL, API)])
def test_the_query_count_is_pinned_and_does_not_grow_with_allegations(
    client: Client, record: SimpleNamespace, url: str, pinned: int
) -> None:
    few = queries_for(client, url)
    more_allegations(record.ministry, 30)
    cache.clear()
    assert (few, queries_for(client, url)) == (pinned, pinned)


@pytest.mark.parametrize(("url", "pinned"), [("/actors/the-ministry/", PAGE), (URL, API)])
def test_an_unchanged_record_keeps_the_answers_and_a_write_renews_them(
    client: Client, record: SimpleNamespace, url: str, pinned: int
) -> None:
    assert queries_for(client, url) == pinned
    # Same record: the whole answer is kept (claims/pages/kept.py, claims/api/kept.py); only
    # the record's head is read.
    assert queries_for(client, url) == 1
    alleging(ActorFactory(), record.ministry, dt.date(2017, 9, 1))
    assert queries_for(client, url) == pinned
    assert client.get(URL).json()["allegations"] == 6
