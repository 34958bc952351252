"""The README's application role, on the test database: connections as it, made exactly as the
README's "PostgreSQL roles" section tells operators to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import psycopg2
from django.core.management import CommandError, call_command
from django.db import connection

from claims.models import ChangeRecord

APP_ROLE = "claimtracker_app"
README = Path(__file__).resolve().parents[1] / "README.md"


def readme_grants() -> list[str]:
    """The GRANT and REVOKE statements the README's roles section gives for the app role."""
    section = README.read_text().split("### PostgreSQL roles", 1)[1]
    sql = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    statements = [s.strip() for s in sql.split(";")]
    return [s for s in statements if re.match(r"(GRANT|REVOKE)\b", s.split("\n")[-1])]


def grant_readme_privileges() -> None:
    """Create the role where the cluster has none yet (roles outlive test databases, so it is
    never dropped) and give it, on the test database, what the README gives it."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        for statement in readme_grants():
            cursor.execute(statement.split("\n")[-1])


@contextmanager
def app_role() -> Iterator[psycopg2.extensions.cursor]:
    """A cursor of a separate connection as the app role; each statement commits on its own."""
    params = connection.get_connection_params()
    conn = psycopg2.connect(
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        dbname=connection.settings_dict["NAME"],
        user=APP_ROLE,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


def verify_problems() -> str:
    """verify_integrity's complaints ("" when it passes)."""
    err = StringIO()
    try:
        call_command("verify_integrity", stdout=StringIO(), stderr=err)
    except CommandError:
        return err.getvalue()
    return ""


def forged_record(**values: str) -> ChangeRecord:
    """A change record that follows the head, its hash computed as the trigger computes it."""
    head = ChangeRecord.objects.order_by("-id").first()
    fields = {
        "table_name": "claims_claim",
        "record_id": head.record_id,
        "operation": "UPDATE",
        "user_id": "",
        "context": "admin",
        "recorded_at": head.recorded_at,
        "state_before": head.state_after,
        "state_after": head.state_after,
        "prev_hash": head.hash,
    }
    record = ChangeRecord(**(fields | values))
    record.hash = record.expected_hash()
    return record


RECORD_COLUMNS = [
    "table_name",
    "record_id",
    "operation",
    "user_id",
    "context",
    "recorded_at",
    "state_before",
    "state_after",
    "prev_hash",
    "hash",
]


def insert_sql(record: ChangeRecord, columns: list[str]) -> tuple[str, list[str]]:
    names = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {ChangeRecord._meta.db_table} ({names}) VALUES ({marks})"
    return sql, [getattr(record, c) for c in columns]
