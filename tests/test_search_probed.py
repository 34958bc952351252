"""Documents and incidents: the reader's visibility is a test of each matching row (its kept
count of public claims on PostgreSQL), not a join built whole first (~3 s at 1M claims,
bench/RESULTS-1M-SEARCH.md) nor a probe of attributions per row, and still decides what is
found."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from claims.models import Claim, Incident
from claims.reading.search import candidates, search
from claims.reading.visibility import documents_visible_to, incidents_visible_to
from sources.models import Document
from tests.factories import AttributionFactory, ClaimFactory, DocumentFactory, IncidentFactory


@pytest.fixture
def used_by_a_draft_and_a_public_claim(db):
    hidden = DocumentFactory(title="Convoy at the Idlib market")
    shown = DocumentFactory(title="Idlib market convoy report")
    hidden_incident = IncidentFactory(title="Convoy hit in Idlib", place="Idlib")
    shown_incident = IncidentFactory(title="Market hit in Idlib", place="Idlib")
    draft = ClaimFactory(incident=hidden_incident, status=Claim.Status.DRAFT)
    AttributionFactory(claim=draft, document=hidden)
    AttributionFactory(claim=ClaimFactory(incident=shown_incident), document=shown)
    return hidden, shown, hidden_incident, shown_incident


def test_what_only_a_draft_uses_is_found_by_draft_readers_alone(
    used_by_a_draft_and_a_public_claim, editor
):
    hidden, shown, hidden_incident, shown_incident = used_by_a_draft_and_a_public_claim

    public = search("idlib", user=AnonymousUser())
    drafts = search("idlib", user=editor)

    assert [hit.obj for hit in public["document"]] == [shown]
    assert [hit.obj for hit in public["incident"]] == [shown_incident]
    assert {hit.obj for hit in drafts["document"]} == {hidden, shown}
    assert {hit.obj for hit in drafts["incident"]} == {hidden_incident, shown_incident}


def test_a_document_becomes_findable_when_its_claim_is_published(
    used_by_a_draft_and_a_public_claim,
):
    hidden = used_by_a_draft_and_a_public_claim[0]
    Claim.objects.filter(attributions__document=hidden).update(status=Claim.Status.PUBLISHED)

    assert hidden in {hit.obj for hit in search("idlib", user=AnonymousUser())["document"]}


@pytest.mark.parametrize(
    ("kind", "model", "visible"),
    [
        ("document", Document, documents_visible_to),
        ("incident", Incident, incidents_visible_to),
    ],
)
@pytest.mark.postgres  # the plan is PostgreSQL's
def test_visibility_is_a_filter_of_the_row_not_a_probe_nor_a_join(db, kind, model, visible):
    with connection.cursor() as cursor:
        # Tiny tables: a hash of everything would look as cheap as anything.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = candidates(kind, visible(AnonymousUser()), "idlib").explain()

    assert "public_uses > 0" in plan
    assert "SubPlan" not in plan
    assert "Join" not in plan
