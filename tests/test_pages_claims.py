"""The claim, incident, timeline and home pages: what they show, to whom, in neutral words."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from types import SimpleNamespace

import pytest
from django.test import Client

from claims.models import Claim, Response
from claimtracker.dates import Precision
from sources.models import Actor
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    ClaimTargetFactory,
    IncidentFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """The visible words of a page, tags removed and whitespace collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    return re.sub(r" ([,.;:)])", r"\1", words)


def get_ok(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- Claim page -------------------------------------------------------------------------------


def test_claim_page_draws_the_chain_from_speaker_through_relays_to_the_document(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, idlib_exchange.allegation.get_absolute_url())
    chain = html.split('<ol class="chain"', 1)[1].split("</ol>", 1)[0]
    hops = re.findall(r'class="chain-node chain-(\w+)"', chain)
    assert hops == ["hop", "hop", "hop", "document"]
    words = text_of(chain)
    assert words.index("White Helmets") < words.index("Reuters") < words.index("RT report on")


def test_claim_page_shows_the_denial_that_answers_it_and_its_standing(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    words = text_of(get_ok(client, idlib_exchange.allegation.get_absolute_url()))
    assert "Ministry of Defence of the Russian Federation denies this claim" in words
    assert "Standing denied" in words
    assert Claim.objects.with_standing().get(pk=idlib_exchange.allegation.pk).standing == "denied"


def test_claim_page_says_what_the_denial_answers(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    words = text_of(get_ok(client, idlib_exchange.denial.get_absolute_url()))
    assert "denies a claim by White Helmets" in words


def test_evidence_asserted_but_not_produced_is_shown_as_such(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, idlib_exchange.denial.get_absolute_url())
    assert "badge-not-produced" in html
    assert "Asserted but not produced" in text_of(html)


def test_quote_is_shown_with_its_language_and_translation(client: Client) -> None:
    claim = ClaimFactory(
        quote="Не наносят ударов", quote_language="ru", translation="Do not strike"
    )
    html = get_ok(client, claim.get_absolute_url())
    assert '<blockquote lang="ru"><p>Не наносят ударов</p></blockquote>' in html
    assert "Do not strike" in html


def test_editor_entered_markup_in_a_quote_is_shown_as_text(client: Client) -> None:
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    claim = ClaimFactory(quote=payload, summary=f"Someone says {payload}")
    html = get_ok(client, claim.get_absolute_url())
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_withdrawn_claim_is_readable_at_its_url_with_a_notice(client: Client) -> None:
    claim = ClaimFactory(status=Claim.Status.WITHDRAWN, withdrawal_reason="Misattributed quote.")
    words = text_of(get_ok(client, claim.get_absolute_url()))
    assert "This claim was withdrawn from the record" in words
    assert "Misattributed quote." in words


def test_withdrawn_claim_leaves_the_public_lists_and_threads(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    idlib_exchange.denial.status = Claim.Status.WITHDRAWN
    idlib_exchange.denial.withdrawal_reason = "Misattributed."
    idlib_exchange.denial.save()
    for url in ("/timeline/", "/", idlib_exchange.incident.get_absolute_url()):
        assert "The Ministry says Russian aircraft" not in get_ok(client, url), url
    claim_page = get_ok(client, idlib_exchange.allegation.get_absolute_url())
    assert "denies this claim" not in claim_page
    assert Claim.objects.with_standing().get(pk=idlib_exchange.allegation.pk).standing == (
        "unanswered"
    )


def test_editors_see_withdrawn_claims_in_lists_marked(client: Client, editor) -> None:
    ClaimFactory(
        status=Claim.Status.WITHDRAWN, withdrawal_reason="Duplicate.", summary="Gone claim."
    )
    client.force_login(editor)
    html = get_ok(client, "/timeline/")
    assert "Gone claim." in html
    assert "Withdrawn from the record" in html


def test_draft_claim_is_not_found_by_the_public(client: Client) -> None:
    claim = ClaimFactory(status=Claim.Status.DRAFT)
    assert client.get(claim.get_absolute_url()).status_code == 404


def test_editor_sees_a_draft_marked_as_a_draft(client: Client, editor) -> None:
    claim = ClaimFactory(status=Claim.Status.DRAFT)
    client.force_login(editor)
    html = get_ok(client, claim.get_absolute_url())
    assert "Only editors can see this claim" in html
    assert "<title>Draft:" in html


def test_a_draft_reply_does_not_reveal_itself_on_the_public_claim_page(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    hidden = ClaimFactory(status=Claim.Status.DRAFT, summary="Unpublished rebuttal text.")
    ResponseFactory(claim=hidden, answers=idlib_exchange.allegation, kind=Response.Kind.REBUTS)
    html = get_ok(client, idlib_exchange.allegation.get_absolute_url())
    assert "Unpublished rebuttal text." not in html
    assert "rebuts this claim" not in html


def test_claim_page_title_says_who_claims_what(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, idlib_exchange.allegation.get_absolute_url())
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Claim by White Helmets, week of 25 Sep 2017")


def test_every_page_links_to_the_same_data_in_the_api(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    pages = {
        "/": "/api/v1/claims/",
        idlib_exchange.allegation.get_absolute_url(): (
            f"/api/v1/claims/{idlib_exchange.allegation.pk}/"
        ),
        "/incidents/idlib-airstrikes-september-2017/": (
            "/api/v1/incidents/idlib-airstrikes-september-2017/"
        ),
        "/actors/white-helmets/": "/api/v1/actors/white-helmets/",
        idlib_exchange.article.get_absolute_url(): (
            f"/api/v1/documents/{idlib_exchange.article.pk}/"
        ),
        "/timeline/?actor=white-helmets&page=1": "/api/v1/timeline/?actor=white-helmets",
    }
    for page, api in pages.items():
        assert f'href="{api}"' in get_ok(client, page), page


# --- Incident page ----------------------------------------------------------------------------


def test_incident_page_nests_the_denial_under_the_allegation(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, idlib_exchange.incident.get_absolute_url())
    threads = html.split('<ol class="threads">', 1)[1]
    allegation_at = threads.index("The White Helmets say 152 civilians")
    replies_at = threads.index('<ol class="thread-replies"', allegation_at)
    denial_at = threads.index("The Ministry says Russian aircraft", replies_at)
    assert allegation_at < replies_at < denial_at
    assert "denies the claim above" in text_of(threads[replies_at:denial_at])


def test_answers_in_a_thread_come_in_date_order(
    client: Client, idlib_exchange: SimpleNamespace, defence_ministry: Actor
) -> None:
    later = ClaimFactory(
        speaker=defence_ministry,
        summary="A later dispute.",
        made_on=dt.date(2017, 10, 2),
        incident=idlib_exchange.incident,
    )
    earlier = ClaimFactory(
        summary="An earlier corroboration.",
        made_on=dt.date(2017, 9, 25),
        incident=idlib_exchange.incident,
    )
    ResponseFactory(claim=later, answers=idlib_exchange.allegation, kind=Response.Kind.DISPUTES)
    ResponseFactory(
        claim=earlier, answers=idlib_exchange.allegation, kind=Response.Kind.CORROBORATES
    )
    html = get_ok(client, idlib_exchange.incident.get_absolute_url())
    assert (
        html.index("An earlier corroboration.")
        < html.index("The Ministry says Russian aircraft")
        < html.index("A later dispute.")
    )


def test_figure_spread_draws_more_than_150_as_open_ended(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, idlib_exchange.incident.get_absolute_url())
    svg = html.split('class="spread"', 1)[1].split("</figure>", 1)[0]
    open_ranges = re.findall(
        r'<line class="figure range open"[^>]*marker-end="url\(#open-end-[^)]+\)"', svg
    )
    assert len(open_ranges) == 1
    assert svg.count('<circle class="figure point"') == 1  # the exact 152
    table = html.split("Casualty figures claimed, civilians killed (the chart above", 1)[1]
    assert "more than 150 (no upper bound stated)" in table
    assert "“over 150”" in table


def test_incident_page_lists_evidence_and_documents(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    words = text_of(get_ok(client, idlib_exchange.incident.get_absolute_url()))
    assert "Drone surveillance the Ministry says located the targets." in words
    assert "RT report on Idlib" in words


def test_incident_with_no_claims_has_clear_empty_states(client: Client, analyst) -> None:
    incident = IncidentFactory()
    # No claim uses it, so only a reader of drafts may open it (test_visibility.py).
    client.force_login(analyst)
    words = text_of(get_ok(client, incident.get_absolute_url()))
    assert "No claims about this incident have been published yet." in words
    assert "No published claim about this incident gives a casualty figure." in words


def test_unknown_incident_is_not_found(client: Client) -> None:
    assert client.get("/incidents/no-such-thing/").status_code == 404


# --- Timeline -----------------------------------------------------------------------------


def test_timeline_filter_by_actor_is_held_in_the_url(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    everything = text_of(get_ok(client, "/timeline/"))
    assert "2 claims" in everything
    filtered = get_ok(client, "/timeline/?actor=russian-defence-ministry")
    words = text_of(filtered)
    assert "1 claim matching the filters" in words
    assert "The Ministry says Russian aircraft" in words
    assert "The White Helmets say 152" not in words
    assert re.search(r'<input type="text" name="actor" value="russian-defence-ministry"', filtered)


def test_timeline_actor_filter_includes_claims_accusing_the_actor(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    words = text_of(get_ok(client, "/timeline/?actor=russia"))
    assert "The White Helmets say 152" in words


def test_timeline_unknown_actor_shows_an_error_next_to_the_filter(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, "/timeline/?actor=nobody")
    assert 'class="field-error"' in html


def test_timeline_bad_date_and_page_do_not_break_the_page(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, "/timeline/?since=yesterday&page=abc")
    assert 'class="field-error"' in html
    assert "2 claims" in text_of(html)


def test_timeline_band_draws_a_week_as_a_span_and_a_day_as_a_point(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    html = get_ok(client, "/timeline/")
    band = html.split('class="band"', 1)[1].split("</figure>", 1)[0]
    assert band.count('<rect class="mark span"') == 1  # the week-precision allegation
    assert band.count('<circle class="mark point"') == 1  # the dated denial
    table = html.split("When each party spoke (the chart above as a table)", 1)[1]
    assert "week of 25 Sep 2017 – 1 Oct 2017" in table


def test_timeline_lists_claims_oldest_first(client: Client) -> None:
    ClaimFactory(summary="Second claim.", made_on=dt.date(2020, 1, 2))
    ClaimFactory(summary="First claim.", made_on=dt.date(2020, 1, 1))
    html = get_ok(client, "/timeline/")
    assert html.index("First claim.") < html.index("Second claim.")


def test_timeline_pages_onwards_and_keeps_filters_in_page_links(client: Client) -> None:
    first = ClaimFactory(made_on=dt.date(2020, 1, 1))
    speaker = first.speaker
    claims = [first, *ClaimFactory.create_batch(29, speaker=speaker, made_on=first.made_on)]
    html = get_ok(client, f"/timeline/?speaker={speaker.slug}")
    # All on one date: the id settles the order, and the link continues after the 25th.
    after = f"2020-01-01.{claims[24].pk}"
    assert f'href="?speaker={speaker.slug}&amp;after={after}#results-heading"' in html
    page_two_html = get_ok(client, f"/timeline/?speaker={speaker.slug}&after={after}")
    assert "30 claims matching the filters" in text_of(page_two_html)
    assert re.findall(r'<li class="claim-item', page_two_html) == ['<li class="claim-item'] * 5


def test_timeline_empty_state(client: Client) -> None:
    words = text_of(get_ok(client, "/timeline/?kind=event"))
    assert "No claims match these filters." in words


def test_timeline_hides_drafts_from_the_public_and_marks_them_for_editors(
    client: Client, editor
) -> None:
    ClaimFactory(status=Claim.Status.DRAFT, summary="Draft statement.")
    assert "Draft statement." not in get_ok(client, "/timeline/")
    client.force_login(editor)
    html = get_ok(client, "/timeline/")
    assert "Draft statement." in html
    assert "Draft, not public" in html


def test_every_filter_has_a_label(client: Client) -> None:
    html = get_ok(client, "/timeline/")
    form = html.split('<form class="filters"', 1)[1].split("</form>", 1)[0]
    ids = re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', form)
    assert len(ids) == 11  # ten filters and the order
    for control in ids:
        assert f'<label for="{control}">' in form


# --- Home -----------------------------------------------------------------------------------


def test_home_shows_latest_claims_unanswered_allegations_and_busy_incidents(
    client: Client, idlib_exchange: SimpleNamespace, white_helmets: Actor
) -> None:
    unanswered = ClaimFactory(summary="An accusation nobody answered.", made_on=dt.date(2018, 1, 1))
    ClaimTargetFactory(claim=unanswered, actor=white_helmets)
    words = text_of(get_ok(client, "/"))
    latest = words.split("Latest claims and responses", 1)[1].split("Allegations still", 1)[0]
    assert "An accusation nobody answered." in latest
    side = words.split("Allegations still unanswered", 1)[1]
    assert "An accusation nobody answered." in side
    assert "The White Helmets say 152" not in side  # it has been denied
    assert "Airstrikes in Idlib province, September 2017 (2 claims)" in side
    assert 'role="search"' in get_ok(client, "/")


def test_home_with_an_empty_record(client: Client) -> None:
    words = text_of(get_ok(client, "/"))
    assert "No claims have been published yet." in words
    assert "No incident has claims yet." in words


def test_pages_have_landmarks_and_start_with_one_h1(
    client: Client, idlib_exchange: SimpleNamespace
) -> None:
    pages = [
        "/",
        "/timeline/",
        idlib_exchange.incident.get_absolute_url(),
        idlib_exchange.allegation.get_absolute_url(),
        "/actors/white-helmets/",
        idlib_exchange.article.get_absolute_url(),
        "/search/?q=Idlib",
        "/search/",
    ]
    for url in pages:
        html = get_ok(client, url)
        assert html.count("<h1") == 1, url
        for landmark in ("<header", "<main", "<nav", "<footer"):
            assert landmark in html, (url, landmark)
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (url, "duplicate id")
        levels = [int(n) for n in re.findall(r"<h([1-6])", html)]
        assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), url


def test_a_week_precision_claim_shows_its_whole_week(client: Client) -> None:
    claim = ClaimFactory(made_on=dt.date(2017, 9, 18), made_precision=Precision.WEEK)
    assert "week of 18 Sep 2017 – 24 Sep 2017" in get_ok(client, claim.get_absolute_url())


def test_timeline_drops_empty_filters_from_the_url(client: Client) -> None:
    response = client.get("/timeline/?actor=&kind=event&since=")
    assert response.status_code == 302
    assert response.url == "/timeline/?kind=event"
    assert client.get("/timeline/?actor=").url == "/timeline/"


def test_a_list_counts_only_the_answers_its_reader_may_see(client: Client, editor) -> None:
    allegation = ClaimFactory(summary="The convoy was struck twice.")
    ResponseFactory(claim=ClaimFactory(), answers=allegation, kind="denies")
    ResponseFactory(claim=ClaimFactory(status="draft"), answers=allegation, kind="disputes")

    public = client.get("/timeline/").content.decode()
    client.force_login(editor)
    editors = client.get("/timeline/").content.decode()

    assert "1 response recorded" in public
    assert "2 responses recorded" not in public
    assert "2 responses recorded" in editors


def test_a_kept_timeline_page_is_never_served_to_a_reader_of_other_statuses(
    client: Client, editor
) -> None:
    ClaimFactory(summary="The published account.")
    ClaimFactory(status="draft", summary="An unpublished account.")
    client.force_login(editor)
    assert "An unpublished account." in client.get("/timeline/").content.decode()

    client.logout()
    public = client.get("/timeline/").content.decode()

    assert "The published account." in public
    assert "An unpublished account." not in public


@pytest.mark.parametrize("page", ["/", "/timeline/", "/actors/the-answerer/"])
def test_a_list_never_names_the_speaker_of_a_draft_its_claim_answers(
    client: Client, editor, page: str
) -> None:
    hidden = ClaimFactory(status="draft", speaker=ActorFactory(name="Quiet Ministry"))
    answerer = ActorFactory(name="The Answerer", slug="the-answerer")
    ResponseFactory(claim=ClaimFactory(speaker=answerer), answers=hidden, kind="denies")

    assert "a claim by Quiet Ministry" not in client.get(page).content.decode()
    client.force_login(editor)
    assert "a claim by Quiet Ministry" in client.get(page).content.decode()
