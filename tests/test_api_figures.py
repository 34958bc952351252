"""The figures endpoints: /incidents/{slug}/figures/ and /actors/{slug}/figures/, their filters,
their refusals of unknown parameters, their flags, their query counts and their schema."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from claims.api.pagination import MAX_PAGE_SIZE
from claims.models import CasualtyFigure, Response
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    FigureFactory,
    IncidentFactory,
)
from tests.problems import fields

pytestmark = pytest.mark.django_db

Q = CasualtyFigure.Qualifier
URL = "/api/v1/incidents/kunduz-hospital/figures/"


def said(speaker, day: int, low: int | None, high: int | None = None, *, incident, **figure):
    claim = ClaimFactory(speaker=speaker, incident=incident, made_on=dt.date(2015, 10, day))
    qualifier = figure.pop("qualifier", Q.EXACTLY if low == high else Q.BETWEEN)
    return FigureFactory(claim=claim, low=low, high=high, qualifier=qualifier, **figure)


@pytest.fixture
def hospital(db):
    """The victims' organisation raises its toll 22 -> 30 -> 42; the other side gives its own
    figures; an outlet relays the organisation's first toll after it was raised."""
    incident = IncidentFactory(slug="kunduz-hospital", title="Strike on a hospital")
    msf = ActorFactory(slug="msf", name="Médecins Sans Frontières")
    ministry = ActorFactory(slug="ministry", name="Ministry of Defence")
    outlet = ActorFactory(slug="outlet", name="Daily Outlet")
    said(msf, 3, 22, 22, incident=incident)
    said(msf, 5, 30, 30, incident=incident)
    said(msf, 7, 42, 42, incident=incident)
    said(ministry, 4, 10, 10, incident=incident)
    said(ministry, 4, 20, 20, incident=incident, outcome="injured")
    said(ministry, 6, 5, 5, incident=incident, category="military")
    relay = said(outlet, 8, 22, 22, incident=incident)
    AttributionFactory(claim=relay.claim, position=1, actor=msf, verb="said")
    AttributionFactory(claim=relay.claim, position=2, actor=outlet)
    return incident


def figures(client, url: str = URL, **params) -> list[tuple[str, str, str, str]]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return [
        (f["claim"]["speaker"]["slug"], f["range_display"], f["outcome"], f["category"])
        for f in response.json()["results"]
    ]


def test_speaker_chooses_whose_figures(api_client, hospital) -> None:
    assert figures(api_client, speaker="msf") == [
        ("msf", "22", "killed", "civilians"),
        ("msf", "30", "killed", "civilians"),
        ("msf", "42", "killed", "civilians"),
    ]


def test_outcome_chooses_killed_injured_or_missing(api_client, hospital) -> None:
    assert figures(api_client, outcome="injured") == [("ministry", "20", "injured", "civilians")]


def test_category_chooses_who_was_counted(api_client, hospital) -> None:
    assert figures(api_client, category="military") == [("ministry", "5", "killed", "military")]


def test_as_of_keeps_what_had_been_said_by_that_date(api_client, hospital) -> None:
    assert [f[:2] for f in figures(api_client, as_of="2015-10-04")] == [
        ("msf", "22"),
        ("ministry", "10"),
        ("ministry", "20"),
    ]


def test_filters_combine(api_client, hospital) -> None:
    assert figures(api_client, speaker="ministry", outcome="killed", category="civilians") == [
        ("ministry", "10", "killed", "civilians")
    ]


def test_until_is_refused_naming_the_accepted_parameters(api_client, hospital) -> None:
    response = api_client.get(URL, {"until": "2015-10-04"})

    assert response.status_code == 400
    assert fields(response)["until"] == [
        "Unknown parameter. This endpoint accepts: as_of, category, count, figure, limit, offset, "
        "outcome, speaker."
    ]


def test_an_unknown_parameter_is_refused_and_named(api_client, hospital) -> None:
    response = api_client.get(URL, {"speaker": "msf", "spekaer": "msf"})

    assert response.status_code == 400
    assert list(fields(response)) == ["spekaer"]


def test_an_outcome_not_in_the_list_is_refused(api_client, hospital) -> None:
    response = api_client.get(URL, {"outcome": "dead"})

    assert response.status_code == 400
    assert fields(response)["outcome"] == ['"dead" is not a valid choice.']


def test_a_date_that_is_not_a_date_is_refused(api_client, hospital) -> None:
    response = api_client.get(URL, {"as_of": "10/10/2015"})

    assert response.status_code == 400
    assert "YYYY-MM-DD" in fields(response)["as_of"][0]


def test_an_actors_figures_are_its_own_in_date_order_with_their_incident(
    api_client, hospital
) -> None:
    body = api_client.get("/api/v1/actors/ministry/figures/").json()["results"]

    assert [(f["range_display"], f["outcome"], f["category"]) for f in body] == [
        ("10", "killed", "civilians"),
        ("20", "injured", "civilians"),
        ("5", "killed", "military"),
    ]
    assert {f["incident"]["slug"] for f in body} == {"kunduz-hospital"}


def test_an_actors_figures_filter_and_refuse_like_the_incidents(api_client, hospital) -> None:
    url = "/api/v1/actors/msf/figures/"
    assert [f[1] for f in figures(api_client, url, as_of="2015-10-05")] == ["22", "30"]
    assert figures(api_client, url, incident="elsewhere") == []
    refused = api_client.get(url, {"speaker": "msf"})
    assert refused.status_code == 400
    assert fields(refused)["speaker"] == [
        "Unknown parameter. This endpoint accepts: as_of, category, count, figure, incident, "
        "limit, offset, outcome."
    ]


def test_flags_go_with_the_figures_they_concern(api_client, hospital) -> None:
    body = api_client.get(URL, {"speaker": "outlet"}).json()["results"]

    (relay,) = body
    assert [flag["rule"] for flag in relay["flags"]] == ["relay_superseded"]
    assert relay["flags"][0]["text"] == (
        "Daily Outlet relays Médecins Sans Frontières's 22 civilians killed (8 Oct 2015); "
        "Médecins Sans "
        "Frontières has since given 42 (7 Oct 2015)."
    )


def test_flags_are_read_from_what_had_been_said_by_as_of(api_client, hospital) -> None:
    body = api_client.get(URL, {"speaker": "outlet", "as_of": "2015-10-08"}).json()["results"]
    assert body[0]["flags"]
    ministry = api_client.get(URL, {"speaker": "ministry", "as_of": "2015-10-03"}).json()["results"]
    assert ministry == []


def add_parties(incident, count: int) -> None:
    """``count`` more parties, each with two figures and a relay of them, and a relay of a
    party heard only through it."""
    for n in range(count):
        party = ActorFactory()
        said(party, 10, 100 + n, 100 + n, incident=incident)
        said(party, 12, 50 + n, 50 + n, incident=incident)
        relay = said(ActorFactory(), 13, 50 + n, 50 + n, incident=incident)
        AttributionFactory(claim=relay.claim, position=1, actor=party)
        unheard = said(ActorFactory(), 14, 7, 7, incident=incident)
        AttributionFactory(claim=unheard.claim, position=1, actor=ActorFactory())


def test_the_incident_figures_make_a_fixed_number_of_queries(
    api_client, hospital, django_assert_num_queries
) -> None:
    # The incident; its figures with claim, speaker, incident and relay; the claims' origins;
    # originators who never speak here; the corrections recorded.
    add_parties(hospital, 2)
    with django_assert_num_queries(5):
        few = api_client.get(URL)
    add_parties(hospital, 20)
    with django_assert_num_queries(5):
        many = api_client.get(URL)

    assert many.json()["count"] - few.json()["count"] == 80


def test_the_actor_figures_make_a_fixed_number_of_queries(
    api_client, hospital, django_assert_num_queries
) -> None:
    # The actor and its aliases (the actor viewset's queryset); then the same four queries as
    # for an incident, over the incidents the actor gave figures for.
    add_parties(hospital, 2)
    with django_assert_num_queries(6):
        api_client.get("/api/v1/actors/msf/figures/")
    add_parties(hospital, 20)
    with django_assert_num_queries(6):
        response = api_client.get("/api/v1/actors/msf/figures/")

    assert len(response.json()["results"]) == 3


def test_the_schema_describes_both_endpoints_and_their_parameters(api_client) -> None:
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    incident = paths["/api/v1/incidents/{slug}/figures/"]["get"]
    actor = paths["/api/v1/actors/{slug}/figures/"]["get"]
    assert {p["name"] for p in incident["parameters"]} >= {
        "slug",
        "speaker",
        "outcome",
        "category",
        "as_of",
    }
    assert {p["name"] for p in actor["parameters"]} >= {
        "slug",
        "incident",
        "outcome",
        "category",
        "as_of",
    }
    flag = schema["components"]["schemas"]["FigureFlag"]
    assert set(flag["properties"]) == {"rule", "text", "ratio", "figures"}
    spread = schema["components"]["schemas"]["FigureSpread"]["properties"]
    assert {"flags", "flag_counts", "flags_more", "flags_url"} <= set(spread)
    assert "figure" in {p["name"] for p in incident["parameters"]}
    assert "flags_url" in incident["description"]


def test_each_figure_counts_its_flags_by_rule_and_lists_them_all_when_few(
    api_client, hospital
) -> None:
    (relay,) = api_client.get(URL, {"speaker": "outlet"}).json()["results"]

    assert relay["flag_counts"] == {
        "lowered": 0,
        "apart": 0,
        "relay_superseded": 1,
        "counted_twice": 0,
    }
    assert len(relay["flags"]) == 1
    assert relay["flags_more"] == 0
    assert relay["flags_url"] is None


def test_a_figure_in_more_flags_than_the_cap_says_how_many_more_and_where(
    api_client, hospital, settings
) -> None:
    settings.FIGURE_FLAGS_PER_FIGURE = 1
    for n in range(3):  # three more parties, each far above the ministry's 10
        said(ActorFactory(), 9, 100 + n, 100 + n, incident=hospital)
    ministry = next(f for f in figures_of(api_client, speaker="ministry") if f["low"] == 10)

    assert ministry["flag_counts"]["apart"] == 4  # MSF's 42 and the three new parties
    assert [flag["rule"] for flag in ministry["flags"]] == ["apart"]
    assert ministry["flags_more"] == 3
    url = ministry["flags_url"]
    assert url == f"http://testserver{URL}?figure={ministry['id']}"

    (alone,) = api_client.get(url).json()["results"]
    assert alone["id"] == ministry["id"]
    assert len(alone["flags"]) == 4
    assert alone["flags"][0] == ministry["flags"][0]
    assert (alone["flags_more"], alone["flags_url"]) == (0, None)


def test_the_full_list_of_a_figures_flags_keeps_as_of(api_client, hospital, settings) -> None:
    settings.FIGURE_FLAGS_PER_FIGURE = 1
    said(ActorFactory(), 5, 100, 100, incident=hospital)
    body = figures_of(api_client, speaker="ministry", as_of="2015-10-07")
    ministry = next(f for f in body if f["low"] == 10)

    assert ministry["flags_url"].endswith(f"?figure={ministry['id']}&as_of=2015-10-07")


def figures_of(client, **params) -> list[dict]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- pages --------------------------------------------------------------------------------


def ranges(body: dict) -> list[str]:
    return [f["range_display"] for f in body["results"]]


def test_the_figures_come_in_pages_in_date_order(api_client, hospital) -> None:
    first = api_client.get(URL, {"limit": 3}).json()
    second = api_client.get(first["next"]).json()
    last = api_client.get(second["next"]).json()

    assert first["count"] == second["count"] == last["count"] == 7
    assert (ranges(first), ranges(second), ranges(last)) == (
        ["22", "10", "20"],
        ["30", "5", "42"],
        ["22"],
    )
    assert (first["previous"], last["next"]) == (None, None)
    assert api_client.get(last["previous"]).json() == second


def test_the_links_keep_the_filters(api_client, hospital) -> None:
    body = api_client.get(URL, {"speaker": "msf", "as_of": "2015-10-07", "limit": 1}).json()
    asked = parse_qs(urlsplit(body["next"]).query)

    assert asked == {"speaker": ["msf"], "as_of": ["2015-10-07"], "limit": ["1"], "offset": ["1"]}
    assert ranges(api_client.get(body["next"]).json()) == ["30"]
    assert body["count"] == 3


def test_a_figure_on_a_later_page_is_flagged_against_figures_on_others(
    api_client, hospital
) -> None:
    (relay,) = api_client.get(URL, {"limit": 1, "offset": 6}).json()["results"]

    assert relay["claim"]["speaker"]["slug"] == "outlet"
    assert relay["flag_counts"]["relay_superseded"] == 1


def test_a_limit_above_the_cap_reads_as_the_cap(api_client, hospital) -> None:
    for n in range(MAX_PAGE_SIZE):
        said(ActorFactory(), 9, n, n, incident=hospital)
    body = api_client.get(URL, {"limit": MAX_PAGE_SIZE + 50}).json()

    assert len(body["results"]) == MAX_PAGE_SIZE
    assert body["count"] == MAX_PAGE_SIZE + 7
    assert f"limit={MAX_PAGE_SIZE}&offset={MAX_PAGE_SIZE}" in body["next"]


@pytest.mark.parametrize(
    ("asked", "field", "message"),
    [
        ({"limit": "ten"}, "limit", "A valid integer is required."),
        ({"limit": 0}, "limit", "Ensure this value is greater than or equal to 1."),
        ({"offset": -1}, "offset", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_page_that_cannot_be_is_refused(api_client, hospital, asked, field, message) -> None:
    # DRF's paginator alone would answer the first page for each of these.
    for url in (URL, "/api/v1/actors/msf/figures/"):
        response = api_client.get(url, asked)

        assert response.status_code == 400
        assert fields(response) == {field: [message]}


def test_the_schema_describes_the_pages(api_client) -> None:
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    for path in ("/api/v1/incidents/{slug}/figures/", "/api/v1/actors/{slug}/figures/"):
        operation = schema["paths"][path]["get"]
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]

        assert answer == {"$ref": "#/components/schemas/PaginatedFigureSpreadList"}
        assert {"limit", "offset"} <= {p["name"] for p in operation["parameters"]}
    page = schema["components"]["schemas"]["PaginatedFigureSpreadList"]["properties"]
    assert {"count", "next", "previous", "results"} <= set(page)


def test_a_correction_recorded_is_read_by_both_endpoints(api_client, hospital) -> None:
    # The ministry lowers its 10 to 4 later: flagged, until it corrects the earlier claim.
    ministry = Actor.objects.get(slug="ministry")
    lowered = said(ministry, 9, 4, 4, incident=hospital)
    earlier = hospital.claims.get(speaker=ministry, made_on=dt.date(2015, 10, 4), figures__low=10)

    def rules(url: str) -> list[str]:
        body = api_client.get(url, {"limit": 200}).json()["results"]
        return [flag["rule"] for f in body if f["id"] == lowered.pk for flag in f["flags"]]

    actor_url = "/api/v1/actors/ministry/figures/"
    assert "lowered" in rules(URL)
    assert "lowered" in rules(actor_url)
    Response.objects.create(claim=lowered.claim, answers=earlier, kind="corrects")
    assert "lowered" not in rules(URL)
    assert "lowered" not in rules(actor_url)


def test_an_actors_figures_are_chosen_by_the_incident_named(api_client, hospital) -> None:
    said(Actor.objects.get(slug="msf"), 9, 3, 3, incident=IncidentFactory(slug="elsewhere"))
    url = "/api/v1/actors/msf/figures/"

    assert [f[1] for f in figures(api_client, url, incident="kunduz-hospital")] == [
        "22",
        "30",
        "42",
    ]
    assert [f[1] for f in figures(api_client, url, incident="elsewhere")] == ["3"]
    assert figures(api_client, url, incident="nowhere") == []
