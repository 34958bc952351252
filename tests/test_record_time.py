"""Record time: the record as this database held it at a change record, rebuilt from the history.

The property: write through the services of claims/record at random, snapshot the whole record
after every write (each recorded table's rows, the dataset export, every claim's standing), and
afterwards rebuild the record at the change record each snapshot was taken at: it must equal the
snapshot, row for row and byte for byte.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
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

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, object]:
    """Everything a reader of the record could tell about it now."""
    out = io.StringIO()
    export_dataset(out=out)
    return {
        "rows": {m._meta.db_table: _current_rows(m) for m in recorded_models()},
        "dataset": out.getvalue(),
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
