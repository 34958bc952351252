"""App configuration for claims: wires the history triggers to the database."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def _register_sqlite_functions(sender: object, connection: object, **kwargs: object) -> None:
    if connection.vendor == "sqlite":
        from claims.history import register_sqlite_functions

        register_sqlite_functions(connection)


def _install_history_triggers(sender: AppConfig, using: str, **kwargs: object) -> None:
    from django.db import connections

    from claims.history import install_triggers

    install_triggers(connections[using])


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims: incidents, statements and evidence"

    def ready(self) -> None:
        # Schema objects Django does not model: the history triggers follow every migrate, and
        # SQLite connections get the functions those triggers call.
        connection_created.connect(_register_sqlite_functions, dispatch_uid="ct_sqlite_functions")
        post_migrate.connect(
            _install_history_triggers, sender=self, dispatch_uid="ct_history_triggers"
        )
