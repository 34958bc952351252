"""manage.py ledger_witness against a live server: growth is accepted, a rewrite, a fork or a
new key is refused naming the sizes and hashes, and nothing is kept then."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from claims.ledger import tree
from claims.models import ChangeRecord, SignedHead, WitnessedHead
from tests.factories import ActorFactory
from tests.ledger_support import make_history, use_test_key

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_ledger")]


@pytest.fixture
def fresh_ledger() -> None:
    """An empty history: on SQLite the flush after an earlier test deletes rows one by one,
    which the history records (PostgreSQL's TRUNCATE leaves nothing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ChangeRecord._meta.db_table}")
        cursor.execute(f"DELETE FROM {tree.TREE_TABLE}")


def _witness(url: str, *args: str) -> str:
    out = StringIO()
    call_command("ledger_witness", url, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _witness_fails(url: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="does not extend what it said before"):
        call_command("ledger_witness", url, stdout=StringIO(), stderr=err)
    return err.getvalue()


def _rewrite_from(index: int) -> None:
    """Rewrite the history from its index-th record as its owner could, chain and tree alike."""
    records = list(ChangeRecord.objects.order_by("id"))
    previous = records[index - 1].hash
    for record in records[index:]:
        record.context = "rewritten" if record is records[index] else record.context
        record.prev_hash, record.hash = previous, ""
        record.hash = record.expected_hash()
        ChangeRecord.objects.filter(pk=record.pk).update(
            context=record.context, prev_hash=record.prev_hash, hash=record.hash
        )
        previous = record.hash
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tree.TREE_TABLE}")
    tree.extend()
    SignedHead.objects.all().delete()  # and the heads it signed before


def test_a_growing_history_is_witnessed_head_after_head(live_server, settings) -> None:
    use_test_key(settings)
    ActorFactory.create_batch(5)
    assert "first head kept: size 5" in _witness(live_server.url)
    ActorFactory.create_batch(7)
    assert "the tree of 12 extends the tree of 5" in _witness(live_server.url)
    assert list(WitnessedHead.objects.values_list("size", flat=True)) == [5, 12]


def test_a_rewrite_after_a_kept_head_fails_naming_sizes_and_roots(live_server, settings) -> None:
    use_test_key(settings)
    make_history(40)
    _witness(live_server.url)
    ActorFactory.create_batch(20)
    _witness(live_server.url)
    kept = WitnessedHead.objects.order_by("-id").first()
    _rewrite_from(50)
    ActorFactory.create_batch(3)
    problem = _witness_fails(live_server.url)
    assert f"does not extend the tree of 60 (root {kept.root_hash})" in problem
    assert "the server's tree of 63" in problem
    # The head of 40 kept earlier still agrees: the change lies among leaves 40 to 59.
    assert "changed among leaves 40 to 59" in problem
    assert WitnessedHead.objects.count() == 2


def test_a_fork_of_the_same_size_fails(live_server, settings) -> None:
    use_test_key(settings)
    ActorFactory.create_batch(8)
    _witness(live_server.url)
    _rewrite_from(3)
    problem = _witness_fails(live_server.url)
    assert "the server's tree of 8" in problem
    assert "does not extend the tree of 8" in problem


def test_a_server_signing_with_another_key_fails(live_server, settings) -> None:
    use_test_key(settings)
    ActorFactory()
    _witness(live_server.url)
    settings.LEDGER_SIGNING_KEY = "77" * 32
    ActorFactory()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("ledger_witness", live_server.url, stdout=StringIO(), stderr=err)
    assert "the server now signs with the key" in err.getvalue()


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="No head from the server"):
        call_command("ledger_witness", "http://127.0.0.1:9/", stdout=StringIO())
    with pytest.raises(CommandError, match="is not an http"):
        call_command("ledger_witness", "ftp://example.org", stdout=StringIO())
