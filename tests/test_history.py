"""Every change leaves a hash-chained record, and tampering is detected and named."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from claims.ledger.history import acting_as, history_of
from claims.models import ChangeRecord, Claim
from tests.factories import ClaimFactory, FigureFactory

pytestmark = pytest.mark.django_db


def _verify(*args: str) -> str:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_integrity", *args, stdout=out, stderr=err)
    except CommandError as error:
        raise AssertionError(err.getvalue() + str(error)) from None
    return out.getvalue()


def _verify_fails(*args: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="Integrity check failed"):
        call_command("verify_integrity", *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def _edit_bypassing_triggers(sql: str, params: list) -> None:
    """What someone with the database password could do: change rows with no trigger firing."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            for op in ("insert", "update", "delete"):
                cursor.execute(f'DROP TRIGGER IF EXISTS "ct_history_claims_claim_{op}"')
            cursor.execute(sql, params)


def test_creating_a_claim_is_recorded_with_its_values() -> None:
    claim = ClaimFactory(summary="The ministry says no village was hit.")
    record = history_of(claim).get()
    assert record.operation == "INSERT"
    assert record.after["summary"] == "The ministry says no village was hit."
    assert record.state_before == ""


def test_admin_change_records_who_and_what(client: Client, reviewer) -> None:
    claim = ClaimFactory(status="draft")
    client.force_login(reviewer)
    change_url = reverse("admin:claims_claim_change", args=[claim.pk])
    page = client.get(change_url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {
        "speaker": claim.speaker_id,
        "made_on": "2017-09-26",
        "summary": "The ministry says no residential area was hit.",
        "read_version": claim.version,
    }
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = client.post(change_url, data)

    assert response.status_code == 302
    record = history_of(claim).last()
    assert record.operation == "UPDATE"
    assert (record.user_id, record.context) == (str(reviewer.pk), "admin")
    changed = {column: (old, new) for column, old, new in record.changes()}
    assert changed["summary"][1] == "The ministry says no residential area was hit."
    assert changed["version"] == (1, 2)
    history_page = client.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert "The ministry says no residential area was hit." in history_page.content.decode()
    assert f"by {reviewer.username} via admin" in history_page.content.decode()


def test_bulk_update_is_recorded_row_by_row() -> None:
    claims = [ClaimFactory(status="draft") for _ in range(3)]
    with acting_as(None, "bulk"):
        Claim.objects.filter(pk__in=[c.pk for c in claims]).update(kind="event")
    for claim in claims:
        record = history_of(claim).last()
        assert (record.operation, record.context) == ("UPDATE", "bulk")
        assert record.after["kind"] == "event"


def test_deleting_a_figure_is_recorded() -> None:
    figure = FigureFactory()
    figure_id = figure.pk
    figure.delete()
    record = ChangeRecord.objects.filter(table_name="claims_casualtyfigure").last()
    assert (record.record_id, record.operation) == (str(figure_id), "DELETE")
    assert record.before["low"] == 10


def test_saving_unchanged_values_records_nothing() -> None:
    claim = ClaimFactory()
    before = ChangeRecord.objects.count()
    Claim.objects.filter(pk=claim.pk).update(kind=claim.kind)
    assert ChangeRecord.objects.count() == before


def test_untouched_record_verifies() -> None:
    ClaimFactory()
    assert "agree" in _verify()


def test_editing_a_history_row_is_detected_and_named() -> None:
    claim = ClaimFactory()
    FigureFactory(claim=claim)
    record = history_of(claim).get()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ChangeRecord._meta.db_table} SET state_after = %s WHERE id = %s",
            [record.state_after.replace("says something", "says nothing"), record.pk],
        )
    errors = _verify_fails()
    assert f"change record #{record.pk} (claims_claim {claim.pk}) no longer matches" in errors


def test_removing_a_history_row_is_detected_at_the_next_one() -> None:
    first, second = ClaimFactory(), ClaimFactory()
    removed = history_of(first).get()
    following = ChangeRecord.objects.filter(id__gt=removed.pk).order_by("id").first()
    assert following is not None
    assert history_of(second).exists()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ChangeRecord._meta.db_table} WHERE id = %s", [removed.pk])
    errors = _verify_fails()
    assert f"change record #{following.pk}" in errors


def test_editing_a_claim_behind_the_history_is_detected_and_named() -> None:
    claim = ClaimFactory()
    ClaimFactory()
    _edit_bypassing_triggers(
        "UPDATE claims_claim SET summary = %s WHERE id = %s", ["rewritten", claim.pk]
    )
    errors = _verify_fails()
    assert f"claims_claim {claim.pk} differs from change record" in errors
    assert "summary" in errors


def test_exported_head_detects_a_rewritten_tail(tmp_path: Path) -> None:
    ClaimFactory()
    head_file = tmp_path / "head.json"
    _verify("--export-head", str(head_file))
    head = json.loads(head_file.read_text())
    assert head["hash"] == ChangeRecord.objects.last().hash
    ClaimFactory()
    assert "agree" in _verify("--expect-head", str(head_file))

    # Rewriting history from the head onwards keeps the chain consistent but loses the head.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ChangeRecord._meta.db_table} SET hash = %s WHERE id = %s",
            ["f" * 64, head["id"]],
        )
    assert f"exported head #{head['id']}" in _verify_fails("--expect-head", str(head_file))


def test_a_head_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "head.json"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="Cannot read the exported head"):
        call_command("verify_integrity", "--expect-head", str(bad), stdout=StringIO())


def test_failed_transaction_leaves_no_history() -> None:
    before = ChangeRecord.objects.count()

    def create_then_fail() -> None:
        with transaction.atomic():
            ClaimFactory()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert ChangeRecord.objects.count() == before


def test_two_history_rows_cannot_share_a_hash() -> None:
    """Held by migration 0006 (an exclusion constraint over a hash index on PostgreSQL)."""
    ClaimFactory()
    record, count = ChangeRecord.objects.last(), ChangeRecord.objects.count()
    columns = "table_name, record_id, operation, user_id, context, recorded_at, state_before, "
    columns += "state_after, prev_hash, hash"
    copy = f"INSERT INTO {ChangeRecord._meta.db_table} ({columns}) SELECT {columns} FROM "
    copy += f"{ChangeRecord._meta.db_table} WHERE id = %s"
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(copy, [record.pk])
    assert ChangeRecord.objects.count() == count


@pytest.mark.postgres
def test_application_role_may_only_insert_into_history() -> None:
    """The role set-up the README documents: the app's role cannot rewrite the history."""
    table = ChangeRecord._meta.db_table
    ClaimFactory()
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS ct_app_probe")
        cursor.execute("CREATE ROLE ct_app_probe")
        cursor.execute(f"GRANT SELECT, INSERT ON {table} TO ct_app_probe")
        cursor.execute("SET ROLE ct_app_probe")
        try:
            for statement in (f"UPDATE {table} SET user_id = '1'", f"DELETE FROM {table}"):
                cursor.execute("SAVEPOINT probe")
                with pytest.raises(Exception, match="permission denied"):
                    cursor.execute(statement)
                cursor.execute("ROLLBACK TO SAVEPOINT probe")
        finally:
            cursor.execute("RESET ROLE")
            cursor.execute(f"REVOKE ALL ON {table} FROM ct_app_probe")
            cursor.execute("DROP ROLE ct_app_probe")


def test_api_write_with_a_token_is_recorded_as_the_tokens_user(reviewer_client, reviewer) -> None:
    claim = ClaimFactory(status="draft")
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"summary": "Corrected by a tool."}, format="json"
    )
    assert response.status_code == 200, response.json()
    record = history_of(claim).last()
    assert (record.user_id, record.context) == (str(reviewer.pk), "api")
    assert record.after["summary"] == "Corrected by a tool."


def test_an_import_is_recorded_as_an_import(tmp_path: Path, reviewer) -> None:
    from claims.exchange.dataset import read_rows
    from claims.exchange.importer import import_rows

    ClaimFactory(summary="Exported then imported.")
    out = StringIO()
    call_command("export_dataset", stdout=out, stderr=StringIO())
    ChangeRecord.objects.all().delete()
    for model in (Claim,):
        model.objects.all().delete()
    rows, errors = read_rows(out.getvalue(), name="dataset.jsonl")
    assert not errors
    # A reviewer's: the exported claim is published, which an editor's import may not do.
    outcome = import_rows(rows, by=reviewer)
    assert not outcome.errors
    claim = Claim.objects.get(summary="Exported then imported.")
    record = history_of(claim).get()
    assert (record.operation, record.user_id, record.context) == (
        "INSERT",
        str(reviewer.pk),
        "import",
    )


def test_an_altered_archived_file_is_detected_and_named(settings, tmp_path: Path) -> None:
    from django.core.files.storage import default_storage

    from claims.jobs.archiving import store_bytes
    from tests.factories import DocumentFactory

    settings.MEDIA_ROOT = str(tmp_path)
    sha256, name = store_bytes(b"<html>the report as fetched</html>")
    document = DocumentFactory(archive_file=name, archive_sha256=sha256, archive_status="archived")
    assert "1 archived files" in _verify()

    with default_storage.open(name, "wb") as stored:
        stored.write(b"<html>the report, rewritten</html>")

    assert f"sources_document {document.pk}: archived copy hashes to" in _verify_fails()


@pytest.mark.postgres
def test_every_generated_column_of_a_recorded_table_is_left_out_of_row_images() -> None:
    # Found when claims 0026 added search_pairs: edits recorded the derived pairs as if people
    # had written them, and the record rebuilt from the history no longer matched the table.
    from claims.ledger.history import recorded_models
    from claims.ledger.postgres import DERIVED_COLUMNS

    tables = [model._meta.db_table for model in recorded_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_name = ANY(%s) AND is_generated = 'ALWAYS'",
            [tables],
        )
        generated = cursor.fetchall()
    assert generated, "no generated column found: the query no longer sees them"
    assert {column for _, column in generated} <= set(DERIVED_COLUMNS)


@pytest.mark.postgres
def test_every_column_no_model_declares_is_left_out_of_row_images() -> None:
    # Columns the database keeps by trigger (claims 0029's public_uses) are derived as generated
    # ones are: publishing a claim must not record its documents as edited.
    from claims.ledger.history import recorded_models
    from claims.ledger.postgres import DERIVED_COLUMNS

    undeclared = set()
    with connection.cursor() as cursor:
        for model in recorded_models():
            declared = {field.column for field in model._meta.concrete_fields}
            columns = connection.introspection.get_table_description(cursor, model._meta.db_table)
            undeclared |= {column.name for column in columns} - declared
    assert "public_uses" in undeclared, "the query no longer sees the kept counts"
    assert undeclared <= set(DERIVED_COLUMNS)
