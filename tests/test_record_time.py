"""Record time: the record as this database held it at a change record, rebuilt from the history.

The property: write through the services of claims/record at random, snapshot the whole record
after every write (each recorded table's rows, the dataset export, every claim's standing), and
afterwards rebuild the record at the change record each snapshot was taken at: it must equal the
snapshot, row for row and byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.exchange.dataset import export_dataset
from claims.ledger.history import recorded_models
from claims.ledger.rebuild import point_from, recorded_state, rows_at
from claims.ledger.verify import _current_rows
from claims.models import CasualtyFigure, ChangeRecord, Claim, Response
from claims.record.actors import add_alias
from claims.record.claims import create_claim, publish_claim, save_statement, withdraw_claim
from claims.record.removals import remove_row
from claims.record.responses import link_response, remove_response
from tests.factories import ActorFactory, UserFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, object]:
    """Everything a reader of the record could tell about it now."""
    out = io.StringIO()
    export_dataset(out=out)
    return {
        "rows": {m._meta.db_table: _current_rows(m) for m in recorded_models()},
        # Without its head line: the head names the tree as it is, not as it was rebuilt.
        "dataset": out.getvalue().partition("\n")[2],
        "standing": dict(Claim.objects.with_standing().values_list("uid", "annotated_standing")),
    }


def rebuilt(point_id: int) -> dict[str, object]:
    rows = {m._meta.db_table: rows_at(point_id, m) for m in recorded_models()}
    with recorded_state(point_from(str(point_id))):
        state = snapshot()
    return {**state, "rows_from_history": rows}


# One write, chosen at random, through the write path.
WRITES = st.sampled_from(
    [
        "create",
        "create_published",
        "publish",
        "withdraw",
        "refigure",
        "answer",
        "unanswer",
        "alias",
        "remove_claim",
    ]
)


def _write(kind: str, draw: st.DataObject, by: object, actors: list) -> None:
    claims = list(Claim.objects.order_by("id"))
    pick = lambda rows: draw.draw(st.sampled_from(rows))  # noqa: E731
    day = dt.date(2015, 10, 1) + dt.timedelta(days=draw.draw(st.integers(0, 30)))
    if kind in ("create", "create_published") or not claims:
        status = Claim.Status.PUBLISHED if kind == "create_published" else Claim.Status.DRAFT
        low = draw.draw(st.integers(0, 50))
        create_claim(
            by=by,
            fields={
                "speaker": pick(actors),
                "kind": Claim.Kind.CASUALTY_COUNT,
                "summary": f"{low} people were killed, the speaker says.",
                "made_on": day,
                "status": status,
            },
            accused=[pick(actors)],
            figures=[
                {
                    "category": "civilians",
                    "outcome": "killed",
                    "low": low,
                    "high": low,
                    "qualifier": "exactly",
                }
            ],
            chain=[{"actor": pick(actors), "verb": "reported"}],
        )
    elif kind == "publish":
        drafts = [c for c in claims if c.status == Claim.Status.DRAFT]
        if drafts:
            publish_claim(by=by, claim=pick(drafts))
    elif kind == "withdraw":
        published = [c for c in claims if c.status == Claim.Status.PUBLISHED]
        if published:
            withdraw_claim(by=by, claim=pick(published), reason="Entered twice.")
    elif kind == "refigure":
        claim = pick(claims)
        high = draw.draw(st.integers(51, 90))
        figure = CasualtyFigure(
            category="civilians", outcome="killed", low=40, high=high, qualifier="between"
        )
        save_statement(
            by=by, claim=claim, values={"summary": f"Up to {high}, it says."}, figures=[figure]
        )
    elif kind == "answer" and len(claims) > 1:
        first, second = sorted(
            draw.draw(st.sets(st.sampled_from(claims), min_size=2, max_size=2)),
            key=lambda c: c.made_on,
        )
        answer_kind = draw.draw(st.sampled_from(["denies", "disputes", "corroborates"]))
        if not Response.objects.filter(claim=second, answers=first, kind=answer_kind).exists():
            link_response(by=by, claim=second, answers=first, kind=answer_kind)
    elif kind == "unanswer":
        responses = list(Response.objects.order_by("id"))
        if responses:
            remove_response(by=by, response=pick(responses))
    elif kind == "alias":
        add_alias(by=by, actor=pick(actors), name=f"Alias {draw.draw(st.integers(0, 10**6))}")
    elif kind == "remove_claim":
        unanswered = [c for c in claims if not c.responses_received.exists()]
        if unanswered:
            remove_row(by=by, row=pick(unanswered))


@pytest.mark.postgres
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(WRITES, min_size=1, max_size=8), draw=st.data())
def test_the_record_rebuilt_at_every_change_record_is_the_record_saved_then(
    db: None, writes: list[str], draw: st.DataObject
) -> None:
    # Each example starts from the same empty record: the db fixture's transaction is shared by
    # every example of this one test, so each runs in a savepoint that is rolled back. (Without
    # it an example sees the rows of the one before and hypothesis cannot replay it.)
    with transaction.atomic():
        by = UserFactory(username="root", is_staff=True, is_superuser=True)
        actors = [ActorFactory() for _ in range(3)]
        saved: dict[int, dict] = {}
        for kind in writes:
            _write(kind, draw, by, actors)
            saved[ChangeRecord.objects.head()[0]] = snapshot()
        for point_id, state in saved.items():
            again = rebuilt(point_id)
            assert again.pop("rows_from_history") == state["rows"]
            assert again == state, f"the record rebuilt at #{point_id} differs from the one saved"
        transaction.set_rollback(True)


# --- record time at the doors ---------------------------------------------------------------


@pytest.fixture
def corrected_later(white_helmets, defence_ministry):
    """A published claim of 22 killed; at ``point`` it stood so; later an editor corrected the
    figure to 30 and then withdrew the claim."""
    by = UserFactory(username="root", is_staff=True, is_superuser=True)
    claim = create_claim(
        by=by,
        fields={
            "speaker": white_helmets,
            "kind": Claim.Kind.CASUALTY_COUNT,
            "summary": "The White Helmets say 22 people were killed.",
            "made_on": dt.date(2015, 10, 3),
            "status": Claim.Status.PUBLISHED,
        },
        accused=[defence_ministry],
        figures=[FIGURE | {"low": 22, "high": 22}],
    )
    point = ChangeRecord.objects.head()
    save_statement(
        by=by,
        claim=claim,
        values={"summary": "The White Helmets say 30 people were killed."},
        figures=[CasualtyFigure(**(FIGURE | {"low": 30, "high": 30}))],
    )
    withdraw_claim(by=by, claim=Claim.objects.get(pk=claim.pk), reason="Entered twice.")
    return claim, point


FIGURE = {"category": "civilians", "outcome": "killed", "qualifier": "exactly"}


def test_a_claim_withdrawn_later_lists_as_it_stood_at_the_change_record(client, corrected_later):
    claim, (point_id, point_hash) = corrected_later
    now = client.get("/api/v1/claims/").json()["results"]
    assert [row["id"] for row in now] == []
    answer = client.get(f"/api/v1/claims/?recorded_by={point_id}")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    assert [(row["id"], row["status"], row["summary"]) for row in rows] == [
        (claim.pk, "published", "The White Helmets say 22 people were killed.")
    ]
    assert answer["X-Recorded-By"].startswith(f"{point_id}; hash={point_hash}")
    # Nothing of the rebuild is left behind on the connection.
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.WITHDRAWN


def test_a_claim_detail_shows_the_figure_an_editor_corrected_later_as_it_stood(
    client, corrected_later
):
    claim, (point_id, _) = corrected_later
    detail = client.get(f"/api/v1/claims/{claim.pk}/?recorded_by={point_id}").json()
    assert (detail["status"], [f["low"] for f in detail["figures"]]) == ("published", [22])
    assert [f["low"] for f in client.get(f"/api/v1/claims/{claim.pk}/").json()["figures"]] == [30]


def test_the_claim_page_shows_the_record_at_a_change_record_and_says_so(client, corrected_later):
    claim, (point_id, _) = corrected_later
    page = client.get(f"/claims/{claim.pk}/?recorded_by={point_id}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "say 22 people were killed" in text
    assert "withdrawn from the record" not in text
    assert f"As this database recorded it at change record #{point_id}" in text
    assert "withdrawn from the record" in client.get(f"/claims/{claim.pk}/").content.decode()


@pytest.mark.parametrize("value", ["yesterday", "99999999", "1999-01-01T00:00:00Z"])
def test_a_recorded_by_the_history_cannot_answer_is_refused_by_its_field(
    client, corrected_later, value
):
    claim, _ = corrected_later
    answer = client.get(f"/api/v1/claims/?recorded_by={value}")
    assert answer.status_code == 400
    assert fields(answer)["recorded_by"]
    page = client.get(f"/claims/{claim.pk}/?recorded_by={value}")
    assert page.status_code == 200
    assert 'id="id_recorded_by-error"' in page.content.decode()


def test_a_timestamp_names_the_last_change_record_written_at_or_before_it(corrected_later):
    _, (point_id, _) = corrected_later
    record = ChangeRecord.objects.get(pk=point_id)
    assert point_from(record.recorded_at).id == point_id
    assert point_from("2999-01-01").id == ChangeRecord.objects.head()[0]
    with pytest.raises(ValidationError):
        point_from("not a time")


def test_export_at_a_change_record_names_its_head_and_holds_the_record_then(
    corrected_later, tmp_path
):
    from django.core.management import CommandError, call_command

    from claims.exchange.importer import import_text

    _, (point_id, point_hash) = corrected_later
    target = tmp_path / "then.jsonl"
    call_command("export_dataset", "-o", str(target), "--recorded-by", str(point_id), verbosity=0)
    lines = target.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    assert head["type"] == "head"
    assert head["record"] == {
        "id": point_id,
        "hash": point_hash,
        "recorded_at": ChangeRecord.objects.get(pk=point_id).recorded_at,
    }
    # The tree that ends with that change record, whatever was written after it.
    assert head["tree_size"] == ChangeRecord.objects.filter(id__lte=point_id).count()
    (row,) = [json.loads(line) for line in lines if '"type":"claim"' in line]
    assert (row["status"], row["figures"][0]["low"]) == ("published", 22)
    with pytest.raises(CommandError, match="no change record #424242"):
        call_command("export_dataset", "--recorded-by", "424242", stdout=io.StringIO())
    # The head line does not stop the file being imported.
    assert import_text(
        target.read_text(encoding="utf-8"), name="then.jsonl", by=None, dry_run=True
    ).ok


def test_a_rebuilt_list_and_page_cost_the_same_queries_however_many_rows_there_are(
    client, corrected_later, white_helmets, django_assert_num_queries
):
    """The rebuild is a fixed set of statements per recorded table (create, fill, index), so
    the queries of a list or page at a change record do not grow with the record."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    claim, _ = corrected_later
    by = UserFactory(username="root")

    def counts() -> tuple[int, int]:
        point = ChangeRecord.objects.head()[0]
        with CaptureQueriesContext(connection) as listing:
            client.get(f"/api/v1/claims/?recorded_by={point}")
        with CaptureQueriesContext(connection) as page:
            client.get(f"/claims/{claim.pk}/?recorded_by={point}")
        return len(listing), len(page)

    def add(n: int) -> None:
        create_claim(
            by=by,
            fields={
                "speaker": white_helmets,
                "kind": Claim.Kind.OTHER,
                "summary": f"Statement {n}, the White Helmets say.",
                "made_on": dt.date(2015, 10, 5),
                "status": Claim.Status.PUBLISHED,
            },
            figures=[FIGURE | {"low": n, "high": n}],
        )

    add(0)
    before = counts()
    for n in range(1, 4):
        add(n)
    assert counts() == before
