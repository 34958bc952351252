"""App configuration for claims: wires the history triggers to the database."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims: incidents, statements and evidence"

    def ready(self) -> None:
        # Schema objects Django does not model: the history triggers follow every migrate, and
        # SQLite connections get the functions those triggers call.
        from django.core import checks

        from claims.ledger import heads, history
        from claims.reading import search_sqlite_tables
        from claimtracker import replicas

        checks.register(heads.check_signing_key, checks.Tags.security, deploy=True)
        checks.register(replicas.check_shared_cache, checks.Tags.caches, checks.Tags.database)

        connection_created.connect(
            history.on_connection_created, dispatch_uid="ct_sqlite_functions"
        )
        post_migrate.connect(
            history.on_post_migrate, sender=self, dispatch_uid="ct_history_triggers"
        )
        # SQLite drops a table's triggers when a migration rebuilds it: search's come back too.
        post_migrate.connect(
            search_sqlite_tables.on_post_migrate, sender=self, dispatch_uid="ct_sqlite_search"
        )
