"""A dry run refuses what the real import would refuse, also between rows new in the file."""

from __future__ import annotations

import pytest

from claims.exchange.dataset import dumps, read_rows
from claims.exchange.importer import Importer, _run
from claims.record.workflow import OPERATOR

pytestmark = pytest.mark.django_db

UID_A = "00000000-0000-4000-8000-00000000000a"
UID_B = "00000000-0000-4000-8000-00000000000b"


def actor(slug: str, kind: str = "organisation") -> dict:
    return {"type": "actor", "slug": slug, "name": slug.title(), "kind": kind}


def claim(uid: str, speaker: str, made_on: str = "2017-09-26", **fields: str) -> dict:
    return {
        "type": "claim", "uid": uid, "speaker": speaker, "kind": "other",
        "summary": f"{speaker} says so.", "made_on": made_on, **fields,
    }  # fmt: skip


def answer(kind: str, by: str = UID_B, to: str = UID_A) -> dict:
    return {"type": "response", "claim": by, "answers": to, "kind": kind}


CASES = {
    "a role held by an organisation": [
        actor("ministry"),
        actor("agency"),
        {"type": "affiliation", "person": "ministry", "organisation": "agency", "role": "head"},
    ],
    "a person affiliated with themselves": [
        actor("konashenkov", "person"),
        {"type": "affiliation", "person": "konashenkov", "organisation": "konashenkov"},
    ],
    "a speaker who is their own spokesperson": [
        actor("konashenkov", "person"),
        claim(UID_A, "konashenkov", spokesperson="konashenkov"),
    ],
    "a retraction by another speaker": [
        actor("ministry"),
        actor("helmets"),
        claim(UID_A, "helmets"),
        claim(UID_B, "ministry"),
        answer("retracts"),
    ],
    "an answer dated before the claim it answers": [
        actor("ministry"),
        actor("helmets"),
        claim(UID_A, "helmets", made_on="2017-09-26"),
        claim(UID_B, "ministry", made_on="2017-09-01"),
        answer("denies"),
    ],
    "a claim answering itself": [
        actor("ministry"),
        claim(UID_A, "ministry"),
        answer("denies", by=UID_A, to=UID_A),
    ],
}


@pytest.mark.parametrize("records", CASES.values(), ids=CASES.keys())
def test_a_dry_run_refuses_the_row_the_import_would_refuse(records):
    rows, unparsed = read_rows("".join(dumps(record) + "\n" for record in records))
    assert not unparsed
    checked = _run(rows, Importer(write=False), None)
    written = _run(rows, Importer(write=True, by=OPERATOR), None)
    # The same line is refused, for the same rule, in the dry run as in the write pass.
    assert [error["line"] for error in checked] == [len(records)]
    assert [error["line"] for error in written] == [len(records)]
    rule = written[0]["reason"].split(": ")[-1]
    assert rule in checked[0]["reason"]
