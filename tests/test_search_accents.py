"""Search folds accents on both backends (issue 15): "Medecins" finds "Médecins", in claims,
documents, incidents and actor names, and the stored vectors follow a changed text."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from claims.models import Claim
from claims.reading.search import search
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db


def _found(query: str, kind: str) -> list:
    return [hit.obj for hit in search(query, user=AnonymousUser()).get(kind, [])]


@pytest.fixture
def msf():
    return ActorFactory(name="Médecins Sans Frontières", slug="msf")


def test_a_word_without_its_accents_finds_a_claim_written_with_them(msf) -> None:
    claim = ClaimFactory(speaker=msf, summary="Médecins Sans Frontières say the café was hit.")

    assert _found("cafe", "claim") == [claim]
    [hit] = search("frontieres", user=AnonymousUser())["claim"]
    assert "<mark>Frontières</mark>" in hit.fragment


def test_a_word_with_accents_finds_a_claim_written_without_them(msf) -> None:
    claim = ClaimFactory(speaker=msf, summary="Medecins Sans Frontieres say the cafe was hit.")

    assert _found("café", "claim") == [claim]
    assert _found('"médecins sans frontières"', "claim") == [claim]


def test_documents_and_incidents_fold_accents_too() -> None:
    document = DocumentFactory(title="Communiqué de presse sur Kunduz")
    incident = IncidentFactory(title="Strike on the hospital", place="Saint-Étienne")
    # Used by a published claim, so that anyone may find them.
    AttributionFactory(claim=ClaimFactory(incident=incident), document=document)

    assert _found("communique", "document") == [document]
    assert _found("etienne", "incident") == [incident]


def test_an_accented_name_is_found_without_its_accents_and_finds_its_claims(msf) -> None:
    claim = ClaimFactory(speaker=msf, summary="The organisation says its staff were evacuated.")

    assert _found("Frontieres", "actor") == [msf]
    assert _found("Frontieres", "claim") == [claim]


def test_a_corrected_text_is_searched_as_corrected(msf) -> None:
    claim = ClaimFactory(speaker=msf, summary="A first account of the shelling.")
    assert _found("resume", "claim") == []

    Claim.objects.filter(pk=claim.pk).update(summary="A résumé of the shelling.")

    assert _found("resume", "claim") == [claim]
    assert _found("first", "claim") == []


@pytest.mark.postgres  # the configurations and stored vectors exist only there
def test_postgresql_folds_accents_in_its_own_configurations_before_stemming() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector('claimtracker_english', 'Médecins hôpitaux'), "
            "to_tsvector('claimtracker_simple', 'Médecins'), "
            "plainto_tsquery('claimtracker_english', 'medecins hopitaux')::text"
        )
        english, simple, query = cursor.fetchone()

    assert english == "'hopitaux':2 'medecin':1"
    assert simple == "'medecins':1"
    assert query == "'medecin' & 'hopitaux'"


@pytest.mark.postgres  # roles and extensions are PostgreSQL's
def test_a_role_that_may_not_create_the_extension_is_told_what_to_run() -> None:
    migration = importlib.import_module("claims.migrations.0025_search_folds_accents")
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE claimtracker_search_no_extensions NOLOGIN")
        cursor.execute("SET LOCAL ROLE claimtracker_search_no_extensions")
    try:
        with connection.schema_editor(atomic=False) as editor:
            # fuzzystrmatch is trusted like unaccent, and not installed by any migration.
            with pytest.raises(RuntimeError) as refused:
                migration.create_extension(editor, "fuzzystrmatch")
            # The refusal was rolled back to its savepoint: the transaction still works.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")

    assert "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;" in str(refused.value)
    assert "permission denied" in str(refused.value)
