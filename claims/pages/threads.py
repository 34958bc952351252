"""The incident page's exchanges: which claims answer which, as threads of nested answers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import connection

from claims.models import Claim, Incident, Response


@dataclass
class ThreadNode:
    """A claim in an exchange, with the response that links it to its parent and its answers."""

    claim: Claim
    response: Response | None = None
    children: list[ThreadNode] = field(default_factory=list)


def build_threads(claims: list[Claim]) -> list[ThreadNode]:
    """Each claim no other claim here answers is a thread; answers nest under what they answer.

    Uses the ``answered_by_shown`` lists of hide_unseen_answers(), so it runs no queries; a reply
    from outside this set of claims is shown as a leaf.
    """
    by_id = {claim.pk: claim for claim in claims}
    replies = {r.claim_id for claim in claims for r in claim.answered_by_shown}

    def node(claim: Claim, response: Response | None, seen: frozenset[int]) -> ThreadNode:
        children = []
        if claim.pk in by_id and claim.pk not in seen:
            for reply in by_id[claim.pk].answered_by_shown:
                child = by_id.get(reply.claim_id, reply.claim)
                children.append(node(child, reply, seen | {claim.pk}))
        return ThreadNode(claim=claim, response=response, children=children)

    return [node(claim, None, frozenset()) for claim in claims if claim.pk not in replies]


def thread_ids(roots: list[int], incident: Incident, allowed: Collection[str]) -> list[int]:
    """The ids of ``roots`` and of every claim about ``incident`` that answers them, directly or
    down a chain of answers, in one recursive query (UNION drops repeats, so a loop ends)."""
    if not roots:
        return []
    claim, response = Claim._meta.db_table, Response._meta.db_table
    marks = ", ".join(["%s"] * len(allowed))
    sql = (
        f"WITH RECURSIVE thread(id) AS (SELECT id FROM {claim} WHERE id IN"
        f" ({', '.join(['%s'] * len(roots))})"
        f" UNION SELECT answer.id FROM thread"
        f" JOIN {response} AS link ON link.answers_id = thread.id"
        f" JOIN {claim} AS answer ON answer.id = link.claim_id"
        f" WHERE answer.incident_id = %s AND answer.status IN ({marks}))"
        " SELECT id FROM thread"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*roots, incident.pk, *allowed])
        return [row[0] for row in cursor.fetchall()]
