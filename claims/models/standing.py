"""Standing: where a claim stands given the answers to it, derived in SQL by one rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Func

from claims.models.links import Response
from claimtracker.dates import known_by

# The claims table and its published status, named here rather than imported: the Claim model
# imports this module (claims.models.statements), and a test checks the two names agree.
CLAIM_TABLE = "claims_claim"
PUBLISHED = "published"

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class Standing(models.TextChoices):
    """Where a claim stands given the published responses to it; derived, never typed in.

    The one rule, first match wins (``StandingOf`` runs it in SQL; the README repeats it):

    1. retracted: its own speaker retracts it;
    2. superseded: its own speaker later gave another figure or account of it (``corrects``
       or ``updates`` from the same speaker): the speaker has moved on from it, whatever
       others said, as with a retraction; others' answers stay listed on the claim;
    3. contested: someone challenges it and someone else supports it;
    4. denied: someone denies it;
    5. disputed: someone disputes, rebuts, attacks the credibility of or corrects it
       (a correction counts as a challenge only from another party);
    6. corroborated: another party confirms or corroborates it (a speaker confirming itself
       adds nothing);
    7. unanswered.

    Only published answers count; "as of" a day (``with_standing(as_of=...)``), only answers
    made by then, a loose date counting by the end of its period.
    """

    UNANSWERED = "unanswered", "unanswered"
    DENIED = "denied", "denied"
    DISPUTED = "disputed", "disputed"
    CORROBORATED = "corroborated", "corroborated"
    RETRACTED = "retracted", "retracted by its speaker"
    SUPERSEDED = "superseded", "superseded by its speaker"
    CONTESTED = "contested", "contested (both challenged and corroborated)"


class StandingOf(Func):
    """The standing of the claim whose id and speaker are the two arguments, in SQL: the rule
    written in ``Standing``'s docstring, as a CASE whose branches are in that order.

    One correlated sub-query folds the claim's published answers into flags and picks the
    standing from them; a claim with no answer gets one row of NULL flags, hence "unanswered".
    An aggregate sub-query cannot become a hashed sub-plan, so PostgreSQL runs it only for the
    rows a page returns, through the index on ``answers``; EXISTS tests were hashed over every
    response instead, whatever the LIMIT (about 400 ms per list page at 100k claims). It is
    written as SQL because composing it from querysets cost more to compile than to run.

    With ``as_of``, only answers whose answering claim was made by that day count, by the
    rule of ``made_by`` (one bound per precision from ``known_by``), passed as parameters.
    """

    output_field = models.CharField()

    def __init__(self, claim: str, speaker: str, *, as_of: dt.date | None = None) -> None:
        super().__init__(claim, speaker)
        self.as_of = as_of

    # Written SQL: Func's function, template and arg_joiner have no part in it.
    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        claim_sql, claim_params = compiler.compile(self.source_expressions[0])
        speaker_sql, speaker_params = compiler.compile(self.source_expressions[1])
        rule, params = _rule(speaker_sql, speaker_params)
        made, made_params = _made_by(self.as_of, connection)
        sql = (
            f"(SELECT {rule} FROM {Response._meta.db_table} r"
            f" JOIN {CLAIM_TABLE} rc ON rc.id = r.claim_id"
            f" WHERE r.answers_id = {claim_sql} AND rc.status = '{PUBLISHED}'{made})"
        )
        return sql, (*params, *claim_params, *made_params)


def answered_standings(
    connection: BaseDatabaseWrapper, as_of: dt.date | None = None
) -> tuple[str, tuple[Any, ...]]:
    """SQL for the rows ``(claim_id, standing)`` of every claim that has a published answer
    (made by ``as_of``, when given), by the same rule as ``StandingOf``, in one grouped pass
    over the answers: what counts every claim's standing at once (the standing facet of a
    whole list) reads, where ``StandingOf`` would run once per answered claim (5-7 s at a
    million claims). A claim missing from it is unanswered."""
    rule, params = _rule("a.speaker_id", ())
    made, made_params = _made_by(as_of, connection)
    sql = (
        f"SELECT r.answers_id AS claim_id, {rule} AS standing"
        f" FROM {Response._meta.db_table} r JOIN {CLAIM_TABLE} rc ON rc.id = r.claim_id"
        f" JOIN {CLAIM_TABLE} a ON a.id = r.answers_id"
        f" WHERE rc.status = '{PUBLISHED}'{made} GROUP BY r.answers_id, a.speaker_id"
    )
    return sql, (*params, *made_params)


def _rule(speaker_sql: str, speaker_params: tuple) -> tuple[str, list]:
    """The rule as a CASE over the answers ``r`` and their claims ``rc`` of one claim, whose
    speaker is ``speaker_sql``: each flag an aggregate over those rows, the branches in the
    order of ``Standing``'s docstring; no rows (or none flagged) gives "unanswered"."""
    # Parameters in the order their placeholders appear: ``same()`` is written (and its
    # parameters added) each time the text needs it.
    params: list = []

    def same() -> str:
        params.extend(speaker_params)
        return f"rc.speaker_id = {speaker_sql}"

    def kind_in(kinds: Collection[str]) -> str:
        return "r.kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"

    def flag(condition: str) -> str:
        return f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END) = 1"

    def challenged() -> str:
        # A speaker's own correction revises its claim (superseded), it does not challenge it.
        return flag(
            f"{kind_in(Response.CHALLENGING)} AND NOT (r.kind = '{Response.Kind.CORRECTS}'"
            f" AND {same()})"
        )

    def supported() -> str:
        return flag(f"{kind_in(Response.SUPPORTING)} AND NOT ({same()})")

    revising = kind_in(Response.REVISING)
    rules = [
        (lambda: flag(f"r.kind = '{Response.Kind.RETRACTS}' AND {same()}"), Standing.RETRACTED),
        (lambda: flag(f"{revising} AND {same()}"), Standing.SUPERSEDED),
        (lambda: f"{challenged()} AND {supported()}", Standing.CONTESTED),
        (lambda: flag(f"r.kind = '{Response.Kind.DENIES}'"), Standing.DENIED),
        (challenged, Standing.DISPUTED),
        (supported, Standing.CORROBORATED),
    ]
    cases = " ".join(f"WHEN {condition()} THEN '{standing}'" for condition, standing in rules)
    return f"CASE {cases} ELSE '{Standing.UNANSWERED}' END", params


def _made_by(as_of: dt.date | None, connection: BaseDatabaseWrapper) -> tuple[str, list]:
    """With ``as_of``, the condition that the answering claim ``rc`` was made by that day, by
    the rule of ``made_by`` (one bound per precision from ``known_by``), as parameters."""
    if as_of is None:
        return "", []
    bounds = known_by(as_of).items()
    sql = " OR ".join("(rc.made_precision = %s AND rc.made_on < %s)" for _ in bounds)
    params: list = []
    for precision, bound in bounds:
        params.extend([precision, connection.ops.adapt_datefield_value(bound)])
    return f" AND ({sql})", params
