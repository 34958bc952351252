"""How an actor answers the allegations against it: how many, with what kinds, how long after,
how often a denial was later walked back by itself, and which allegations it never answered.

**An allegation against an actor** is a claim, by another speaker, that lists the actor as
*accused* (``ClaimTarget.Role.ACCUSED``). A *subject* is what a statement is about (a
characterisation, a profile), not an accusation, so it does not count; nor does a claim the
actor makes itself that names it as accused (an admission is not an allegation it could answer).
**An answer** is a response whose answering claim has the actor as its speaker (not as the
spokesperson: a person speaking for a ministry answers for the ministry).

Only what the reader may list counts (``listed_statuses``: the public counts published claims
only, so a draft answer leaves an allegation unanswered for them), and with ``as_of`` only
claims made by that day (``claims.models.made_by``: a loose date by the end of its period).

**How long after.** Each side of an answer may be a loose date, so the delay from an allegation
to the actor's *first* answer is an interval of whole days: at least the start of the answer's
period less the end of the allegation's (never below 0: an answer is not dated before what it
answers), at most the end of the answer's period less the start of the allegation's. The first
answer's delay lies between the smallest lower and the smallest upper bound of the answers.
Over allegations the page gives the median of the lower bounds and the median of the upper
bounds: since every true delay lies within its bounds and a median can only grow when any value
grows, the true median delay lies between those two, so "between 2 and 8 days" is a statement
the record supports whatever the loose dates stand for. The same holds for the shares answered
within a day, a week or 30 days: at least those whose upper bound is within it, at most those
whose lower bound is.

Three aggregate queries build it, whatever the number of allegations, and what they build is
kept per state of the record (``bands.kept``), as the timeline band is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Greatest
from django.db.models.sql.compiler import SQLCompiler as Compiler

from claims.models import Claim, ClaimTarget, Response, made_by
from claims.reading import bands
from claimtracker.dates import Precision
from sources.models import Actor

# SQL and its parameters, as expressions compile to.
Sql = tuple[str, list]

# Kinds by which a speaker later walks back a claim of its own: its revisions (a correction, an
# updated figure or account) and its retraction.
WALKING_BACK: tuple[str, ...] = (*Response.REVISING, Response.Kind.RETRACTS)
WALKING_BACK_WORDS = "corrects, gives an updated account of or retracts"
# (days, words): the shares of answered allegations first answered within so many days.
WITHIN = ((0, "the same day"), (7, "within a week"), (30, "within 30 days"))


class PeriodEnd(Func):
    """The last day a loose date (stored as its period's first day) may stand for."""

    output_field = DateField()
    arity = 2  # the stored date, its precision

    # Django's own signatures, as StandingOf's: the stubs' return type is a tuple of params.
    def as_sql(  # type: ignore[override]  # written SQL: no function, template or joiner
        self, compiler: Compiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Sql:  # PostgreSQL
        longer = "CAST({d} + INTERVAL '1 {unit}' - INTERVAL '1 day' AS date)"
        return self._case(compiler, "{d} + 6", longer)

    def as_sqlite(  # type: ignore[override]  # Django takes a list of params as well
        self, compiler: Compiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Sql:
        return self._case(compiler, "date({d}, '+6 days')", "date({d}, '+1 {unit}', '-1 day')")

    def _case(self, compiler: Compiler, week: str, longer: str) -> Sql:
        day, day_params = compiler.compile(self.source_expressions[0])
        precision, precision_params = compiler.compile(self.source_expressions[1])
        whens = [
            (Precision.WEEK, week.format(d=day)),
            (Precision.MONTH, longer.format(d=day, unit="month")),
            (Precision.YEAR, longer.format(d=day, unit="year")),
        ]
        sql = f"CASE {precision}"
        params = list(precision_params)
        for value, then in whens:
            sql += f" WHEN '{value}' THEN {then}"
            params += day_params
        return f"{sql} ELSE {day} END", [*params, *day_params]


class DaysFrom(Func):
    """Whole days from the second date to the first (negative when the first is earlier)."""

    output_field = IntegerField()
    arity = 2  # later, earlier

    def as_sql(  # type: ignore[override]  # written SQL: no function, template or joiner
        self, compiler: Compiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Sql:  # PostgreSQL: date - date is days
        return self._compile(compiler, "({later} - {earlier})")

    def as_sqlite(  # type: ignore[override]  # Django takes a list of params as well
        self, compiler: Compiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> Sql:
        return self._compile(compiler, "CAST(julianday({later}) - julianday({earlier}) AS INTEGER)")

    def _compile(self, compiler: Compiler, template: str) -> Sql:
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return template.format(later=later, earlier=earlier), [*later_params, *earlier_params]


@dataclass(frozen=True)
class Days:
    """A number of days known only within bounds (equal bounds: known exactly)."""

    low: float
    high: float

    @property
    def exact(self) -> bool:
        return self.low == self.high

    @property
    def text(self) -> str:
        """ "3 days", "between 2 and 8 days": how the page and the API word it."""
        unit = "day" if self.high == 1 else "days"
        if self.exact:
            return f"{self.high:g} {unit}"
        return f"between {self.low:g} and {self.high:g} {unit}"


@dataclass(frozen=True)
class KindCount:
    """One kind of answer: how many allegations against the actor it answered that way, and its
    answers of that kind to claims by any other party (allegations or not)."""

    kind: str
    label: str
    allegations: int
    responses_to_others: int


@dataclass(frozen=True)
class Revision:
    """How many times the actor answered claims of its own in one way (corrected, updated,
    retracted…): kept apart, since revising oneself answers no one else."""

    kind: str
    label: str
    times: int


@dataclass(frozen=True)
class Within:
    """How many answered allegations were first answered within ``days``: between ``at_least``
    and ``at_most``, the two equal when no loose date leaves it open."""

    days: int
    words: str
    at_least: int
    at_most: int


@dataclass(frozen=True)
class Answers:
    """What ``answers_of`` finds; every number of the page's section and the API's answer."""

    allegations: int  # claims by others accusing the actor
    answered: int  # of those, answered at least once by the actor
    kinds: list[KindCount] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    median_delay: Days | None = None  # to the first answer
    fastest: Days | None = None
    slowest: Days | None = None
    within: list[Within] = field(default_factory=list)
    loose_delays: int = 0  # answered allegations whose delay is a range, not a number of days
    denials: int = 0  # its claims denying an allegation against it
    walked_back: int = 0  # of those, later corrected, retracted or updated by itself

    @property
    def unanswered(self) -> int:
        return self.allegations - self.answered

    @property
    def revised(self) -> int:
        return sum(revision.times for revision in self.revisions)


def allegations_against(actor: Actor, shown: set[str], as_of: dt.date | None) -> QuerySet[Claim]:
    """Claims by others that accuse ``actor``, in the statuses ``shown``, made by ``as_of``."""
    accused = ClaimTarget.objects.filter(actor=actor, role=ClaimTarget.Role.ACCUSED)
    claims = Claim.objects.filter(pk__in=accused.values("claim"), status__in=shown).exclude(
        speaker=actor
    )
    return claims.filter(made_by(as_of)) if as_of else claims


def _answers_by(actor: Actor, shown: set[str], as_of: dt.date | None) -> QuerySet[Response]:
    """Responses made by ``actor``'s claims that the reader may list, made by ``as_of``."""
    answers = Response.objects.filter(claim__speaker=actor, claim__status__in=shown)
    return answers.filter(made_by(as_of, "claim__")) if as_of else answers


def unanswered_allegations(
    claims: QuerySet[Claim], actor: Actor, shown: set[str], as_of: dt.date | None
) -> QuerySet[Claim]:
    """``claims`` narrowed to the allegations against ``actor`` it never answered (as of)."""
    answered = _answers_by(actor, shown, as_of).filter(answers=OuterRef("pk"))
    alleged = allegations_against(actor, shown, as_of).values("pk")
    return claims.filter(pk__in=alleged).filter(~Exists(answered))


def _kinds(
    actor: Actor, shown: set[str], as_of: dt.date | None
) -> tuple[list[KindCount], list[Revision]]:
    """One query: per kind, the allegations answered and the answers to any other party; and,
    apart, its answers to claims of its own (revisions answer nobody else)."""
    alleged = allegations_against(actor, shown, as_of).values("pk")
    own = ExpressionWrapper(Q(answers__speaker=actor), output_field=BooleanField())
    rows = (
        _answers_by(actor, shown, as_of)
        .filter(answers__status__in=shown)
        .annotate(own=own)
        .values("own", "kind")
        .annotate(
            allegations=Count("answers", distinct=True, filter=Q(answers__in=alleged)),
            responses=Count("pk"),
        )
        .order_by("-allegations", "-responses", "kind")
    )
    kinds, revisions = [], []
    for row in rows:
        kind, label = row["kind"], str(Response.Kind(row["kind"]).label)
        if row["own"]:
            revisions.append(Revision(kind, label, row["responses"]))
        else:
            kinds.append(KindCount(kind, label, row["allegations"], row["responses"]))
    return kinds, revisions


def _delays(actor: Actor, shown: set[str], as_of: dt.date | None) -> tuple[int, int, list]:
    """One query: (allegations, answered, [median, fastest, slowest and within-bounds])."""
    alleged = allegations_against(actor, shown, as_of)
    answer_start, alleged_start = F("claim__made_on"), F("answers__made_on")
    answer_end = PeriodEnd(answer_start, F("claim__made_precision"))
    alleged_end = PeriodEnd(alleged_start, F("answers__made_precision"))
    per_allegation = (
        _answers_by(actor, shown, as_of)
        .filter(answers__in=alleged)
        .order_by()
        .values("answers")
        .annotate(
            low=Min(Greatest(DaysFrom(answer_start, alleged_end), Value(0))),
            high=Min(DaysFrom(answer_end, alleged_start)),
        )
        .values("low", "high")
    )
    count_sql, count_params = alleged.order_by().values("pk").query.sql_with_params()
    per_sql, per_params = per_allegation.query.sql_with_params()
    middle = "rank_{b} IN ((n + 1) / 2, (n + 2) / 2)"
    within = ", ".join(
        f"SUM(CASE WHEN high <= {days} THEN 1 ELSE 0 END),"
        f" SUM(CASE WHEN low <= {days} THEN 1 ELSE 0 END)"
        for days, _ in WITHIN
    )
    sql = (
        f"SELECT (SELECT COUNT(*) FROM ({count_sql}) alleged), COUNT(*),"
        f" AVG(CASE WHEN {middle.format(b='low')} THEN low END),"
        f" AVG(CASE WHEN {middle.format(b='high')} THEN high END),"
        f" MIN(low), MIN(high), MAX(low), MAX(high),"
        f" SUM(CASE WHEN low < high THEN 1 ELSE 0 END), {within}"
        " FROM (SELECT low, high, ROW_NUMBER() OVER (ORDER BY low) AS rank_low,"
        " ROW_NUMBER() OVER (ORDER BY high) AS rank_high, COUNT(*) OVER () AS n"
        f" FROM ({per_sql}) per_allegation) ranked"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*count_params, *per_params])
        total, answered, *rest = cursor.fetchone()
    return total, answered, rest


def _denials(actor: Actor, shown: set[str], as_of: dt.date | None) -> dict[str, int]:
    """One query: its claims denying an allegation against it, and how many it walked back."""
    walked_back = _answers_by(actor, shown, as_of).filter(
        answers=OuterRef("claim"), kind__in=WALKING_BACK
    )
    return (
        _answers_by(actor, shown, as_of)
        .filter(kind=Response.Kind.DENIES, answers__in=allegations_against(actor, shown, as_of))
        .aggregate(
            denials=Count("claim", distinct=True),
            walked_back=Count("claim", distinct=True, filter=Q(Exists(walked_back))),
        )
    )


def answers_of(actor: Actor, shown: set[str], as_of: dt.date | None = None) -> Answers:
    """How ``actor`` answered the allegations against it, for a reader of claims in ``shown``
    statuses, as of ``as_of`` (world time). Three queries, whatever the number of claims."""
    kinds, revisions = _kinds(actor, shown, as_of)
    total, answered, rest = _delays(actor, shown, as_of)
    denied = _denials(actor, shown, as_of)
    denials, walked_back = denied["denials"], denied["walked_back"]
    found = Answers(total, answered, kinds, revisions, denials=denials, walked_back=walked_back)
    if not answered:
        return found
    median_low, median_high, *extremes = (float(value) for value in rest[:6])
    loose, *shares = (int(value) for value in rest[6:])
    return Answers(
        allegations=total,
        answered=answered,
        kinds=kinds,
        revisions=revisions,
        median_delay=Days(median_low, median_high),
        fastest=Days(extremes[0], extremes[1]),
        slowest=Days(extremes[2], extremes[3]),
        within=[
            Within(days, words, shares[2 * i], shares[2 * i + 1])
            for i, (days, words) in enumerate(WITHIN)
        ],
        loose_delays=loose,
        denials=denials,
        walked_back=walked_back,
    )


def kept_answers(actor: Actor, shown: set[str], as_of: dt.date | None, state: str) -> Answers:
    """``answers_of``, built once per state of the record (``state``: the history head's hash)
    for this actor, these statuses and this day."""
    key = f"answers|{actor.pk}|{sorted(shown)}|{as_of}"
    return bands.kept(key, lambda: answers_of(actor, shown, as_of), state)
