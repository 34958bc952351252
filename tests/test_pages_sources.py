"""The actor, document and search pages."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client

from claims.models import Claim, Response
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    AffiliationFactory,
    AttributionFactory,
    ClaimFactory,
    ClaimTargetFactory,
    DocumentFactory,
    ResponseFactory,
)
from tests.test_pages_claims import get_ok, text_of

pytestmark = pytest.mark.django_db


# --- Actor page -------------------------------------------------------------------------------


def test_actor_page_lists_aliases_and_what_it_claimed(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    words = text_of(get_ok(client, "/actors/white-helmets/"))
    assert "Syrian Civil Defence" in words
    made = words.split("What White Helmets claimed", 1)[1].split("Claims that accuse", 1)[0]
    assert "The White Helmets say 152" in made


def test_actor_page_lists_claims_that_accuse_it(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    words = text_of(get_ok(client, "/actors/russia/"))
    about = words.split("Claims that accuse Russia", 1)[1]
    assert "The White Helmets say 152" in about


def test_actor_page_counts_its_answers_to_others_apart_from_allegations_against_it(
    client: Client, idlib_exchange: SimpleNamespace, defence_ministry: Actor
) -> None:
    second = ClaimFactory(speaker=defence_ministry, made_on=dt.date(2017, 10, 5))
    ResponseFactory(claim=second, answers=idlib_exchange.allegation, kind=Response.Kind.DENIES)
    words = text_of(get_ok(client, "/actors/russian-defence-ministry/"))
    # The allegation accuses Russia, not the Ministry: two denials of another party's claim,
    # none of an allegation against the Ministry itself.
    assert "denies a claim 0 2" in words
    assert "No claim by another party in the record accuses" in words
    russia = text_of(get_ok(client, "/actors/russia/"))
    assert "1 claim by other parties accuses Russia" in russia
    assert "Russia answered 0 of them; 1 has no answer from it in the record" in russia


def test_actor_page_draws_its_claims_and_its_answers_over_time(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, "/actors/russian-defence-ministry/")
    band = html.split('class="band"', 1)[1].split("</table>", 1)[0]
    assert "Answers to other claims" in band
    assert band.count('<circle class="mark point"') == 1  # the denial, dated to a day


def test_actor_page_with_no_responses_says_so(client: Client, white_helmets: Actor) -> None:
    # Accused by someone else's published claim: public, though it said nothing itself.
    ClaimTargetFactory(actor=white_helmets)
    words = text_of(get_ok(client, "/actors/white-helmets/"))
    assert "The record holds no response by White Helmets to another claim." in words
    assert "White Helmets answered 0 of them; 1 has no answer from it in the record" in words
    assert "The record holds no claim made by this party." in words


def test_person_page_shows_the_role_and_organisation(
    client: Client, defence_ministry: Actor
) -> None:
    person = ActorFactory(name="Igor Konashenkov", slug="igor-konashenkov", kind="person")
    AffiliationFactory(person=person, organisation=defence_ministry, role="spokesman")
    # Both public through a published claim (test_visibility.py: what only drafts use is not).
    ClaimFactory(speaker=defence_ministry, spokesperson=person)
    words = text_of(get_ok(client, "/actors/igor-konashenkov/"))
    assert "Spokesman, Ministry of Defence of the Russian Federation" in words
    org_words = text_of(get_ok(client, "/actors/russian-defence-ministry/"))
    assert "Igor Konashenkov, spokesman" in org_words


def test_spokesperson_page_lists_what_they_said_for_the_ministry(
    client: Client, defence_ministry: Actor
) -> None:
    person = ActorFactory(name="Igor Konashenkov", slug="igor-konashenkov", kind="person")
    ClaimFactory(
        speaker=defence_ministry, spokesperson=person, summary="The Ministry says no strikes."
    )
    words = text_of(get_ok(client, "/actors/igor-konashenkov/"))
    made = words.split("What Igor Konashenkov claimed or said as a spokesperson", 1)[1]
    assert "Ministry of Defence of the Russian Federation, through Igor Konashenkov" in made
    assert "The Ministry says no strikes." in made


def test_actor_claim_lists_page_independently(client: Client, white_helmets: Actor) -> None:
    claims = [ClaimFactory(speaker=white_helmets, summary=f"Statement {n}.") for n in range(27)]
    ClaimTargetFactory(claim=ClaimFactory(summary="Accusing the rescuers."), actor=white_helmets)
    first = get_ok(client, "/actors/white-helmets/")
    after = re.search(r'href="\?made_after=([0-9.-]+)#made-heading"', first)[1]

    second = get_ok(client, f"/actors/white-helmets/?made_after={after}")

    last = max(claims, key=lambda c: (c.made_on, c.pk))
    assert f"{last.summary}<" in second
    assert f"{last.summary}<" not in first
    assert 'href="?#made-heading"' in second  # back to the first page of this list
    assert "Accusing the rescuers." in second  # the other list keeps its own first page
    assert "about_after" not in second


def test_a_malformed_actor_page_link_shows_the_first_page_with_a_message(
    client: Client, white_helmets: Actor
) -> None:
    ClaimFactory(speaker=white_helmets, summary="The only claim.")
    html = get_ok(client, "/actors/white-helmets/?made_after=yesterday")
    assert "The only claim." in html
    assert "The page link was not understood" in html


def test_actor_page_does_not_count_draft_answers_for_the_public(
    client: Client, idlib_exchange: SimpleNamespace, defence_ministry: Actor
) -> None:
    draft = ClaimFactory(speaker=defence_ministry, status=Claim.Status.DRAFT)
    ResponseFactory(claim=draft, answers=idlib_exchange.allegation, kind=Response.Kind.REBUTS)
    words = text_of(get_ok(client, "/actors/russian-defence-ministry/"))
    assert "rebuts a claim" not in words


def test_unknown_actor_is_not_found(client: Client) -> None:
    assert client.get("/actors/nobody/").status_code == 404


# --- Document page ----------------------------------------------------------------------------


def test_document_page_lists_the_claims_quoted_from_it(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    words = text_of(get_ok(client, idlib_exchange.article.get_absolute_url()))
    assert "RT report on Idlib" in words
    assert "The White Helmets say 152" in words
    assert "The Ministry says Russian aircraft" in words


def test_document_page_lists_each_claim_once_even_with_several_hops(
    client: Client, broadcaster: Actor
) -> None:
    document = DocumentFactory(publisher=broadcaster)
    claim = ClaimFactory(summary="Said twice in one article.")
    AttributionFactory(claim=claim, position=1, document=document)
    AttributionFactory(claim=claim, position=2, document=document)
    assert get_ok(client, document.get_absolute_url()).count("Said twice in one article.") == 1


def test_document_page_hides_draft_claims_from_the_public(client: Client) -> None:
    document = DocumentFactory()
    claim = ClaimFactory(status=Claim.Status.DRAFT, summary="Not yet public.")
    AttributionFactory(claim=claim, document=document)
    # Quoted by a withdrawn claim too, so public (test_visibility.py), but listing no claim.
    withdrawn = ClaimFactory(status=Claim.Status.WITHDRAWN, withdrawal_reason="Misquoted.")
    AttributionFactory(claim=withdrawn, document=document)
    words = text_of(get_ok(client, document.get_absolute_url()))
    assert "Not yet public." not in words
    assert "No published claim in the record comes from this document." in words


# --- Search -----------------------------------------------------------------------------------


def test_search_by_alias_finds_the_actor(client: Client, white_helmets: Actor) -> None:
    ClaimFactory(speaker=white_helmets)
    html = get_ok(client, "/search/?q=Syrian+Civil+Defence")
    actors = html.split('id="actor-results"', 1)[1]
    assert 'href="/actors/white-helmets/"' in actors


def test_search_groups_results_by_kind_with_highlights(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, "/search/?q=Idlib")
    assert '<h2 id="claim-results">Claims</h2>' in html
    assert '<h2 id="incident-results">Incidents</h2>' in html
    assert "<mark>" in html


def test_search_with_no_match_has_an_empty_state(client: Client) -> None:
    words = text_of(get_ok(client, "/search/?q=zzzzqqq"))
    assert "Nothing in the record matches “zzzzqqq”." in words


def test_search_without_a_query_explains_what_to_type(client: Client) -> None:
    words = text_of(get_ok(client, "/search/"))
    assert "Type a name, an alias" in words


def test_search_escapes_markup_in_the_query_and_in_fragments(client: Client) -> None:
    ClaimFactory(summary='Someone says <img src=x onerror="alert(1)"> happened.')
    html = get_ok(client, "/search/?q=onerror")
    assert "<img src=x" not in html
    html = get_ok(client, "/search/?q=<script>alert(1)</script>")
    assert "<script>alert(1)" not in html
