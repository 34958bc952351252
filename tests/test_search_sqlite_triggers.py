"""SQLite drops a table's triggers when a migration rebuilds the table; search's come back."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from claims.reading import search_sqlite_tables
from tests.factories import IncidentFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 tables are SQLite's"),
]


def _triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'claims_fts_%'"
        )
        return {name for (name,) in cursor.fetchall()}


def _found(word: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM claims_fts_incident WHERE claims_fts_incident MATCH ?", [word]
        )
        return [rowid for (rowid,) in cursor.fetchall()]


def test_every_search_trigger_is_there_after_migrating():
    # Migration 0023 rebuilt claims_incident after 0019 had put its triggers on it.
    assert {"claims_fts_incident_insert", "claims_fts_incident_update"} <= _triggers()
    assert len(_triggers()) == 15


def test_a_kind_that_lost_its_triggers_gets_them_back_with_what_was_written_meanwhile():
    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER claims_fts_incident_{event}")
    written_meanwhile = IncidentFactory(title="Shelling near Borogove")
    assert _found("borogove") == []

    assert search_sqlite_tables.keep(connection) == {"incident"}
    assert _found("borogove") == [written_meanwhile.pk]
    later = IncidentFactory(title="Borogove market fire")
    assert sorted(_found("borogove")) == sorted([written_meanwhile.pk, later.pk])
    assert search_sqlite_tables.keep(connection) == set()


def test_migrate_puts_them_back():
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER claims_fts_actor_insert")
    call_command("migrate", verbosity=0)
    assert "claims_fts_actor_insert" in _triggers()
