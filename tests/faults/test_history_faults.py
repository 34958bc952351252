"""Forged history rows, written the only way left after the grants and guards: by the owner (here
the test database's superuser), who may insert into the history directly. Each is named by
verify_integrity, however correctly its hash follows the chain."""

from __future__ import annotations

import pytest
from django.db import connection

from claims.ledger.history import acting_as
from claims.models import ChangeRecord, Claim
from claims.record.claims import save_statement
from tests.factories import ClaimFactory, UserFactory
from tests.history_roles import RECORD_COLUMNS, forged_record, insert_sql, verify_problems

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.django_db]
PROOF_COLUMNS = [*RECORD_COLUMNS, "claimed_user_id", "txid", "attribution"]


@pytest.fixture
def proven_edit() -> ChangeRecord:
    """A real edit, proven: the chain has entered the era of proofs."""
    editor = UserFactory(username="editor", is_staff=True, groups=["editors"])
    claim = ClaimFactory(status="draft")
    with acting_as(editor, "admin"):
        save_statement(by=editor, claim=Claim.objects.get(pk=claim.pk), values={"summary": "Hi."})
    assert verify_problems() == ""
    return ChangeRecord.objects.order_by("-id").first()


def _insert(record: ChangeRecord, columns: list[str]) -> int:
    sql, params = insert_sql(record, columns)
    with connection.cursor() as cursor:
        cursor.execute(sql + " RETURNING id", params)
        return cursor.fetchone()[0]


def test_a_correctly_hashed_row_in_the_old_form_is_detected(proven_edit) -> None:
    """The forgery that passed before: the nine hashed fields, the hash right, a user named."""
    forged = _insert(forged_record(user_id=proven_edit.user_id), RECORD_COLUMNS)

    assert f"change record #{forged} (claims_claim" in verify_problems()
    assert "names no transaction" in verify_problems()


def test_a_row_naming_a_user_with_a_made_up_proof_is_detected(proven_edit) -> None:
    record = forged_record(user_id=proven_edit.user_id, txid=proven_edit.txid, attribution="0" * 64)
    forged = _insert(record, PROOF_COLUMNS)

    problems = verify_problems()
    assert f"change record #{forged} (claims_claim {record.record_id}) is attributed to" in problems
    assert "its proof does not check out" in problems


def test_a_row_whose_hash_does_not_match_is_detected(proven_edit) -> None:
    record = forged_record(txid=proven_edit.txid)
    record.hash = "f" * 64
    forged = _insert(record, PROOF_COLUMNS)

    assert f"change record #{forged} (claims_claim" in verify_problems()
    assert "no longer matches its hash" in verify_problems()
