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
        sql = (
            f"(SELECT CASE {cases} ELSE '{Standing.UNANSWERED}' END"
            f" FROM {Response._meta.db_table} r"
            f" JOIN {CLAIM_TABLE} rc ON rc.id = r.claim_id"
            f" WHERE r.answers_id = {claim_sql} AND rc.status = '{PUBLISHED}'"
        )
        params.extend(claim_params)
        if self.as_of is not None:
            bounds = known_by(self.as_of).items()
            sql += (
                " AND ("
                + " OR ".join("(rc.made_precision = %s AND rc.made_on < %s)" for _ in bounds)
                + ")"
            )
            for precision, bound in bounds:
                params.extend([precision, connection.ops.adapt_datefield_value(bound)])
        return sql + ")", tuple(params)
