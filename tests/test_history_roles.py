"""As the README's application role, SQL alone can neither write the history, nor empty a
recorded table behind it, nor make an edit appear as another editor's."""

from __future__ import annotations

from io import StringIO

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from claims.ledger import postgres
from claims.ledger.history import acting_as, history_of
from claims.models import ChangeRecord, Claim
from claims.record.claims import save_statement
from tests.factories import ClaimFactory, UserFactory
from tests.history_roles import (
    APP_ROLE,
    RECORD_COLUMNS,
    app_role,
    forged_record,
    grant_readme_privileges,
    insert_sql,
    verify_problems,
)

# Committed rows: the app role's connection sees nothing of a test's open transaction.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
HISTORY = ChangeRecord._meta.db_table


@pytest.fixture
def app_sql():
    grant_readme_privileges()
    with app_role() as cursor:
        yield cursor


def test_the_app_role_cannot_insert_a_correctly_hashed_change_record(app_sql) -> None:
    ClaimFactory(summary="The ministry says no village was hit.")
    count = ChangeRecord.objects.count()
    sql, params = insert_sql(forged_record(), RECORD_COLUMNS)

    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
        app_sql.execute(sql, params)

    assert ChangeRecord.objects.count() == count
    assert verify_problems() == ""


def test_a_role_granted_everything_still_cannot_write_the_history(app_sql) -> None:
    """An operator's GRANT ALL does not undo the rule: a trigger refuses all but the owner."""
    ClaimFactory()
    count = ChangeRecord.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT ALL ON {HISTORY} TO {APP_ROLE}")
    sql, params = insert_sql(forged_record(), RECORD_COLUMNS)
    for statement, values in (
        (sql, params),
        (f"UPDATE {HISTORY} SET user_id = '1'", []),
        (f"DELETE FROM {HISTORY}", []),
        (f"TRUNCATE {HISTORY}", []),
    ):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="refused for role"):
            app_sql.execute(statement, values)
    assert ChangeRecord.objects.count() == count


def test_the_app_role_cannot_truncate_a_recorded_table(app_sql) -> None:
    """Not even where an operator granted it TRUNCATE on every table: TRUNCATE fires no row
    trigger, so it would empty the record and leave no history of it."""
    ClaimFactory()
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="permission denied"):
        app_sql.execute(f"TRUNCATE {Claim._meta.db_table} CASCADE")
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")

    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match="TRUNCATE of claims_claim"):
        app_sql.execute(f"TRUNCATE {Claim._meta.db_table} CASCADE")

    assert Claim.objects.count() == 1


def test_naming_another_editor_by_sql_does_not_make_the_edit_theirs(app_sql, client) -> None:
    claim = ClaimFactory(status="draft")
    editor = UserFactory(username="editor", is_staff=True, groups=["editors"])

    app_sql.execute(
        "SELECT set_config('claimtracker.user_id', %s, false), "
        "set_config('claimtracker.context', 'admin', false)",
        [str(editor.pk)],
    )
    app_sql.execute("UPDATE claims_claim SET summary = 'Forged words.' WHERE id = %s", [claim.pk])

    record = history_of(claim).last()
    assert record.after["summary"] == "Forged words."
    assert record.user_id == ""  # not the editor's
    assert (record.claimed_user_id, record.context) == (str(editor.pk), "admin")
    problems = verify_problems()
    assert f"change record #{record.pk} (claims_claim {claim.pk}) was claimed for user" in problems
    assert f"user {editor.pk} via admin without the application's proof" in problems
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:claims_claim_history", args=[claim.pk])).content.decode()
    assert f"no signed-in user (claimed for user {editor.pk} by SQL, not proven) via admin" in page


def test_a_proof_seen_in_another_transaction_does_not_fit_this_one(app_sql) -> None:
    """What pg_stat_activity could show the attacker: the proof of a real edit."""
    claim = ClaimFactory(status="draft")
    editor = UserFactory(username="editor", is_staff=True, groups=["editors"])
    with transaction.atomic(), acting_as(editor, "admin"):
        save_statement(by=editor, claim=Claim.objects.get(pk=claim.pk), values={"summary": "Hi."})
    real = history_of(claim).last()
    assert (real.user_id, real.claimed_user_id) == (str(editor.pk), "")
    assert verify_problems() == ""

    app_sql.execute(
        "SELECT set_config('claimtracker.user_id', %s, false), "
        "set_config('claimtracker.context', 'admin', false), "
        "set_config('claimtracker.attribution', %s, false)",
        [str(editor.pk), real.attribution],
    )
    app_sql.execute("UPDATE claims_claim SET summary = 'Replayed.' WHERE id = %s", [claim.pk])

    replayed = history_of(claim).last()
    assert (replayed.user_id, replayed.claimed_user_id) == ("", str(editor.pk))
    assert f"change record #{replayed.pk}" in verify_problems()


def test_an_admin_edit_is_proven_and_verifies(client: Client) -> None:
    """The application's own path, committed as in production (no test transaction around it):
    the middleware names the user outside any transaction, the write path proves it inside."""
    reviewer = UserFactory(username="reviewer", is_staff=True, groups=["reviewers"])
    claim = ClaimFactory(status="draft")
    client.force_login(reviewer)
    change_url = reverse("admin:claims_claim_change", args=[claim.pk])
    page = client.get(change_url)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data |= {
        "speaker": claim.speaker_id,
        "made_on": "2017-09-26",
        "summary": "The ministry says no residential area was hit.",
        "read_version": claim.version,
    }
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    assert client.post(change_url, data).status_code == 302

    record = history_of(claim).last()
    assert (record.user_id, record.claimed_user_id, record.context) == (
        str(reviewer.pk),
        "",
        "admin",
    )
    assert record.attribution
    assert record.txid
    assert verify_problems() == ""


def test_an_application_whose_key_is_not_the_databases_proves_nobody(settings) -> None:
    settings.HISTORY_KEY = "not-the-database-key-" * 3
    claim = ClaimFactory(status="draft")
    editor = UserFactory(username="editor", is_staff=True, groups=["editors"])

    with transaction.atomic(), acting_as(editor, "admin"):
        save_statement(by=editor, claim=Claim.objects.get(pk=claim.pk), values={"summary": "New."})

    record = history_of(claim).last()
    assert (record.user_id, record.claimed_user_id) == ("", str(editor.pk))
    assert "HISTORY_KEY is not the database's" in verify_problems()


def test_set_history_key_stores_the_key_the_trigger_checks(settings) -> None:
    with connection.cursor() as cursor:
        original = postgres.read_key(cursor)
    settings.HISTORY_KEY = "an-operators-history-key-of-enough-length"
    try:
        out = StringIO()
        call_command("set_history_key", stdout=out)
        assert "History key stored" in out.getvalue()
        with connection.cursor() as cursor:
            assert postgres.read_key(cursor) == settings.HISTORY_KEY
        editor = UserFactory(username="editor", is_staff=True, groups=["editors"])
        claim = ClaimFactory(status="draft")
        save_statement(by=editor, claim=Claim.objects.get(pk=claim.pk), values={"summary": "New."})
        assert history_of(claim).last().user_id == str(editor.pk)
    finally:
        with connection.cursor() as cursor:
            postgres.set_key(cursor, original)


@pytest.mark.parametrize(
    ("key", "message"),
    [("", "HISTORY_KEY is not set: set it, or pass --generate"), ("short", "too short")],
)
def test_set_history_key_refuses_a_missing_or_short_key(settings, key: str, message: str) -> None:
    settings.HISTORY_KEY = key
    with pytest.raises(CommandError, match=message):
        call_command("set_history_key", stdout=StringIO())


def test_a_write_outside_the_proven_transactions_is_nobodys_and_verifies() -> None:
    """As a task run in-process after a request's commit: the user is named per transaction
    only, so the task's write claims nobody rather than an unproven editor."""
    editor = UserFactory(username="editor", is_staff=True, groups=["editors"])
    claim = ClaimFactory(status="draft")

    with acting_as(editor, "admin"):
        Claim.objects.filter(pk=claim.pk).update(quote_check="not_found")

    record = history_of(claim).last()
    assert (record.user_id, record.claimed_user_id, record.context) == ("", "", "admin")
    assert verify_problems() == ""
