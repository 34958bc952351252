"""Documents and incidents keep how many public claims use them (claims 0029), and the count stays
what the EXISTS rule it stands for says, whatever writes: the ORM, a bulk ``update()``, raw SQL,
in either order within a transaction; and the history does not record it as an edit."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction

from claims.models import Attribution, ChangeRecord, Claim, Incident
from claims.reading.visibility import documents_visible_to, incidents_visible_to
from sources.models import Document
from tests.factories import AttributionFactory, ClaimFactory, DocumentFactory, IncidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]  # SQLite keeps no count

DRAFT, PUBLISHED, WITHDRAWN = Claim.Status.DRAFT, Claim.Status.PUBLISHED, Claim.Status.WITHDRAWN


def _kept(obj: Document | Incident) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT public_uses FROM {obj._meta.db_table} WHERE id = %s", [obj.pk])
        return cursor.fetchone()[0]


def _truth(obj: Document | Incident) -> int:
    public = Claim.objects.public()
    if isinstance(obj, Document):
        return Attribution.objects.filter(document=obj, claim__in=public).count()
    return public.filter(incident=obj).count()


def _assert_kept(*objs: Document | Incident) -> None:
    for obj in objs:
        assert _kept(obj) == _truth(obj), obj


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def draft():
    """A draft about an incident, whose chain names a document."""
    incident = IncidentFactory()
    claim = ClaimFactory(status=DRAFT, incident=incident)
    document = DocumentFactory()
    AttributionFactory(claim=claim, document=document)
    return claim, document, incident


def test_a_draft_is_no_public_use(draft):
    _, document, incident = draft
    assert (_kept(document), _kept(incident)) == (0, 0)
    assert not documents_visible_to(AnonymousUser()).filter(pk=document.pk).exists()
    assert not incidents_visible_to(AnonymousUser()).filter(pk=incident.pk).exists()


def test_publishing_withdrawing_and_back_to_draft_through_the_orm(draft):
    claim, document, incident = draft
    claim.status = PUBLISHED
    claim.save()
    assert (_kept(document), _kept(incident)) == (1, 1)
    assert documents_visible_to(AnonymousUser()).filter(pk=document.pk).exists()
    assert incidents_visible_to(AnonymousUser()).filter(pk=incident.pk).exists()

    # Withdrawn stays public.
    Claim.objects.filter(pk=claim.pk).update(status=WITHDRAWN, withdrawal_reason="Misquoted.")
    assert (_kept(document), _kept(incident)) == (1, 1)

    Claim.objects.filter(pk=claim.pk).update(status=DRAFT)
    assert (_kept(document), _kept(incident)) == (0, 0)
    assert not documents_visible_to(AnonymousUser()).filter(pk=document.pk).exists()


def test_publishing_and_back_to_draft_through_raw_sql(draft):
    claim, document, incident = draft
    _sql("UPDATE claims_claim SET status = 'published' WHERE id = %s", [claim.pk])
    assert (_kept(document), _kept(incident)) == (1, 1)
    _sql("UPDATE claims_claim SET status = 'draft' WHERE id = %s", [claim.pk])
    assert (_kept(document), _kept(incident)) == (0, 0)


def test_deleting_a_public_claim_through_the_orm_and_raw_sql():
    incident, document = IncidentFactory(), DocumentFactory()
    first, second = ClaimFactory(incident=incident), ClaimFactory(incident=incident)
    for claim in (first, second):
        AttributionFactory(claim=claim, document=document)
    assert (_kept(document), _kept(incident)) == (2, 2)

    first.delete()
    assert (_kept(document), _kept(incident)) == (1, 1)

    _sql("DELETE FROM claims_attribution WHERE claim_id = %s", [second.pk])
    _sql("DELETE FROM claims_claim WHERE id = %s", [second.pk])
    assert (_kept(document), _kept(incident)) == (0, 0)


def test_moving_a_hop_to_another_document(draft):
    claim, old, _ = draft
    Claim.objects.filter(pk=claim.pk).update(status=PUBLISHED)
    new, third = DocumentFactory(), DocumentFactory()
    hop = claim.attributions.get()

    hop.document = new
    hop.save()
    assert (_kept(old), _kept(new)) == (0, 1)

    _sql("UPDATE claims_attribution SET document_id = %s WHERE id = %s", [third.pk, hop.pk])
    assert (_kept(new), _kept(third)) == (0, 1)

    Attribution.objects.filter(pk=hop.pk).update(document=None)
    assert _kept(third) == 0


def test_moving_a_claim_to_another_incident(draft):
    claim, _, old = draft
    Claim.objects.filter(pk=claim.pk).update(status=PUBLISHED)
    new, third = IncidentFactory(), IncidentFactory()

    claim.refresh_from_db()
    claim.incident = new
    claim.save()
    assert (_kept(old), _kept(new)) == (0, 1)

    _sql("UPDATE claims_claim SET incident_id = %s WHERE id = %s", [third.pk, claim.pk])
    assert (_kept(new), _kept(third)) == (0, 1)

    Claim.objects.filter(pk=claim.pk).update(incident=None)
    assert _kept(third) == 0


def test_two_hops_naming_one_document_are_two_uses_and_one_left_keeps_it_public():
    document = DocumentFactory()
    claim = ClaimFactory()
    hops = [AttributionFactory(claim=claim, document=document, position=n) for n in (1, 2)]
    assert _kept(document) == 2
    hops[0].delete()
    assert _kept(document) == 1
    assert documents_visible_to(AnonymousUser()).filter(pk=document.pk).exists()


def test_bulk_statements_count_every_row():
    incidents = IncidentFactory.create_batch(2)
    documents = DocumentFactory.create_batch(3)
    claims = [ClaimFactory(status=DRAFT, incident=incidents[n % 2]) for n in range(6)]
    for n, claim in enumerate(claims):
        AttributionFactory(claim=claim, document=documents[n % 3])
        AttributionFactory(claim=claim, document=documents[(n + 1) % 3], position=2)

    Claim.objects.filter(pk__in=[c.pk for c in claims[:4]]).update(status=PUBLISHED)
    _assert_kept(*incidents, *documents)
    Claim.objects.filter(pk__in=[c.pk for c in claims[1:]]).update(
        status=WITHDRAWN, withdrawal_reason="Misquoted."
    )
    _assert_kept(*incidents, *documents)
    Attribution.objects.filter(claim__in=claims[2:]).delete()
    _assert_kept(*incidents, *documents)


def test_rows_written_before_what_they_use_in_one_transaction_are_counted():
    # Foreign keys are checked at commit, so a hop may name its document, and a claim its
    # incident, before either is inserted: they count those rows when they are inserted.
    claim = ClaimFactory(incident=None)
    with transaction.atomic():
        Attribution.objects.create(
            claim=claim, position=2, actor=claim.speaker, document_id=990002, verb="cited"
        )
        Claim.objects.filter(pk=claim.pk).update(incident_id=990001)
        document = DocumentFactory(id=990002)
        incident = IncidentFactory(id=990001)
    assert (_kept(document), _kept(incident)) == (1, 1)


def test_a_write_to_the_count_itself_is_ignored(draft):
    _, document, incident = draft
    _sql("UPDATE sources_document SET public_uses = 7 WHERE id = %s", [document.pk])
    _sql("UPDATE claims_incident SET public_uses = 7 WHERE id = %s", [incident.pk])
    assert (_kept(document), _kept(incident)) == (0, 0)
    # A copy of the document, inserted with a count of its own.
    columns = [f.column for f in Document._meta.concrete_fields if f.column not in ("id", "uid")]
    _sql(
        f"INSERT INTO sources_document (uid, public_uses, {', '.join(columns)})"
        f" SELECT gen_random_uuid(), 5, {', '.join(columns)} FROM sources_document WHERE id = %s",
        [document.pk],
    )
    copy = Document.objects.exclude(pk=document.pk).get(title=document.title)
    assert _kept(copy) == 0


def test_the_history_does_not_record_the_count(draft):
    claim, document, incident = draft
    before = ChangeRecord.objects.filter(table_name__in=["sources_document", "claims_incident"])
    recorded = before.count()

    Claim.objects.filter(pk=claim.pk).update(status=PUBLISHED)

    assert (_kept(document), _kept(incident)) == (1, 1)
    assert before.count() == recorded


def test_a_title_or_description_with_a_long_vector_can_still_be_written():
    # An index including the search vector beside the list order would refuse these rows: a
    # btree entry holds at most a third of a page (claims 0029 has none for that reason).
    title = "".join(chr(0x4E00 + (n * 7919) % 20000) for n in range(500))
    document = DocumentFactory(title=title)
    incident = IncidentFactory(description=" ".join(f"word{n}" for n in range(3000)))
    assert Document.objects.get(pk=document.pk).title == title
    assert len(Incident.objects.get(pk=incident.pk).description) > 20000


def _in_thread(work, *, then=None) -> threading.Thread:
    """``work`` in a transaction of its own, on the thread's own connection; ``then`` runs
    inside it before it commits."""

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                if then:
                    then()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["publish", "add the hop"])
def test_a_hop_added_while_its_claim_is_published_elsewhere_is_counted(first: str) -> None:
    # Two transactions at the same moment, in raw SQL: one publishes a draft, the other adds
    # a hop naming a document to it. Were each trigger to read the other's rows as they were
    # before (the foreign keys are deferred), the document would be left uncounted, hidden
    # from the public; the history's chain makes the second writer wait for the first.
    claim, document = ClaimFactory(status=DRAFT), DocumentFactory()

    def publish() -> None:
        _sql("UPDATE claims_claim SET status = %s WHERE id = %s", [PUBLISHED, claim.pk])

    def add_hop() -> None:
        _sql(
            "INSERT INTO claims_attribution (position, verb, note, actor_id, document_id,"
            " claim_id) VALUES (9, 'said', '', %s, %s, %s)",
            [claim.speaker_id, document.pk, claim.pk],
        )

    started = threading.Event()
    one, other = (publish, add_hop) if first == "publish" else (add_hop, publish)
    thread = _in_thread(one, then=lambda: (started.set(), time.sleep(1)))
    assert started.wait(10)
    with transaction.atomic():
        other()  # waits for the thread's commit where it must
    thread.join(10)
    assert not thread.is_alive()
    assert _kept(document) == _truth(document) == 1
