"""The benchmark compares like with like: the floor and the peer answer the API's own rows."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import override_settings

from bench.contenders import first_terms
from claims.models import Claim
from tests.factories import (
    ActorFactory,
    ClaimFactory,
    ClaimTargetFactory,
    IncidentFactory,
    ResponseFactory,
)


@pytest.fixture
def claims(db) -> None:
    """Enough published claims for two pages of 50, some on one day, one denied, one
    superseded and one draft."""
    russia = ActorFactory(name="Russia", slug="russia")
    incident = IncidentFactory(slug="idlib")
    spokesman = ActorFactory(kind="person")
    made = [
        ClaimFactory(incident=incident, made_on=dt.date(2017, 9, 1) + dt.timedelta(days=n % 40))
        for n in range(60)
    ]
    ClaimTargetFactory(claim=made[0], actor=russia)
    ClaimFactory(spokesperson=spokesman, made_on=dt.date(2017, 12, 1), made_precision="month")
    ClaimFactory(made_on=dt.date(2017, 10, 1), status=Claim.Status.DRAFT)
    ResponseFactory(claim=made[39], answers=made[38])  # both on the first page
    # The speaker of made[37] gives a newer figure: made[37] is superseded (first page too).
    update = ClaimFactory(speaker=made[37].speaker, incident=incident, made_on=made[37].made_on)
    ResponseFactory(claim=update, answers=made[37], kind="updates")


@pytest.mark.postgres
def test_the_floor_answers_the_same_document_as_the_api(client, claims):
    from django.db import connection

    from bench.floor import claim_list_json

    api = client.get("/api/v1/claims/").json()
    floor = json.loads(claim_list_json("http://testserver", cursor=connection.cursor()))

    assert floor == api
    assert len(api["results"]) == 50
    assert [c["standing"] for c in api["results"]].count("denied") == 1
    assert [c["standing"] for c in api["results"]].count("superseded") == 1


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_peer_answers_the_same_rows_as_the_api(client, claims):
    api = client.get("/api/v1/claims/").json()
    peer = client.get("/bench/peer/claims/").json()

    assert peer["results"] == api["results"]
    assert peer["count"] == Claim.objects.published().count()


@pytest.mark.postgres  # the bench's record is PostgreSQL's (TABLESAMPLE, the kept counts)
@pytest.mark.django_db(transaction=True)  # the bench reads through a connection of its own
def test_the_first_askings_terms_come_from_the_record_each_once():
    used = IncidentFactory(title="Shelling in Idlib #7")
    IncidentFactory(title="Only a draft's, in Hama #8")
    quote = "hospital convoy market school bridge"
    for n in range(30):
        ClaimFactory(incident=used, quote=quote, made_on=dt.date(2017, 9, 1 + n % 20))
    ClaimFactory(quote="drone depot", status=Claim.Status.DRAFT)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    terms = first_terms(url, avoid={"hospital convoy market"})

    assert terms["rare"] == ["7"]  # the incident a public claim is about, not the draft's
    for found in terms.values():
        assert len(found) == len(set(found))
    assert "hospital convoy market" not in terms["medium"]
    assert all(set(term.split()) <= set(quote.split()) for term in terms["medium"])
    assert all(term.strip('"') in quote for term in terms["phrase"])
    assert "drone" not in " ".join(terms["common"])  # a draft's words are not drawn
