"""The timeline band's data: who spoke when, as an aggregate whose size does not grow with the
record.

Two queries, whatever the number of claims: one pass over the matching claims finds the parties
that spoke most (and how many others there are, how many claims in all, and the first and last
date), and one indexed pass counts those parties' claims per period, the period chosen from the
span of dates so that a lane holds at most a few dozen marks.

Both passes read every matching claim, so what the timeline builds from them (and its page of
claims) is kept in the cache under the newest change record's hash (``kept``): any write to a
claim, response, actor or incident adds a change record (by trigger), so nothing kept is older
than the record, and an unchanged record costs one indexed look-up instead of the passes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, DateField, F, QuerySet, Value, When
from django.db.models.functions import Trunc

from claimtracker.dates import Precision
from sources.models import Actor

T = TypeVar("T")

TOP_SPEAKERS = 10
# A kept band is dropped after this long even if the record has not changed (seconds).
KEPT_FOR = 60 * 60
_NOTHING = object()
# (longest span in days, the period claims are counted in): a lane holds at most ~80 marks.
BUCKETS = [(92, Precision.DAY), (2 * 366, Precision.WEEK), (7 * 366, Precision.MONTH)]
COARSER: dict[str, list[Precision]] = {
    Precision.DAY: [Precision.WEEK, Precision.MONTH, Precision.YEAR],
    Precision.WEEK: [Precision.MONTH, Precision.YEAR],
    Precision.MONTH: [Precision.YEAR],
    Precision.YEAR: [],
}


@dataclass(frozen=True)
class SpeechRow:
    """How many claims one party made on one loose date (a row of an aggregate query)."""

    name: str
    slug: str
    made_on: dt.date
    precision: str
    count: int


@dataclass(frozen=True)
class Speech:
    """The band's rows, and what the band leaves out."""

    rows: list[SpeechRow]
    bucket: str  # the period claims are counted in: "day" keeps each claim's own loose date
    total: int  # claims matching, drawn or not
    speakers: int  # parties among them
    drawn_claims: int  # claims by the parties drawn

    @property
    def other_claims(self) -> int:
        return self.total - self.drawn_claims


def bucket_for(first: dt.date, last: dt.date) -> str:
    span = (last - first).days
    return next((unit for longest, unit in BUCKETS if span <= longest), Precision.YEAR)


def _top_speakers(matching: QuerySet, limit: int) -> list[tuple]:
    """(speaker id, claims, parties, claims in all, first date, last date, name, slug) for the
    ``limit`` parties with most claims, in one pass over the matching claims: the window
    functions run over the grouped rows, and only the parties kept are joined to their names."""
    if matching.query.is_empty():
        return []  # nothing to compile: .none() has no SQL
    inner, params = matching.order_by().values("speaker_id", "made_on").query.sql_with_params()
    grouped = (
        "SELECT speaker_id, COUNT(*) AS n, COUNT(*) OVER () AS parties,"
        " SUM(COUNT(*)) OVER () AS total, MIN(MIN(made_on)) OVER () AS first,"
        " MAX(MAX(made_on)) OVER () AS last"
        f" FROM ({inner}) AS matching GROUP BY speaker_id ORDER BY n DESC, speaker_id LIMIT %s"
    )
    sql = (
        "SELECT top.speaker_id, top.n, top.parties, top.total, top.first, top.last,"
        f" actor.name, actor.slug FROM ({grouped}) AS top"
        f" JOIN {Actor._meta.db_table} AS actor ON actor.id = top.speaker_id"
        " ORDER BY top.n DESC, top.speaker_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return cursor.fetchall()


def as_date(value: dt.date | str) -> dt.date:
    # SQLite hands dates back from raw SQL as text.
    return DateField().to_python(value)


def per_period(claims: QuerySet, bucket: str, *group: str) -> QuerySet:
    """(``*group``, period start, period precision, claims) rows: ``claims`` counted per
    ``bucket``. A claim dated more loosely than the bucket keeps its own, longer, period."""
    coarser = COARSER[bucket]
    start = (
        F("made_on")
        if bucket == Precision.DAY
        else Trunc("made_on", bucket, output_field=DateField())
    )
    return (
        claims.order_by()
        .annotate(
            # Loose dates are stored as their period's first day, so a coarser one is its own start.
            bucket_on=Case(When(made_precision__in=coarser, then=F("made_on")), default=start),
            bucket_precision=Case(
                When(made_precision__in=coarser, then=F("made_precision")),
                default=F("made_precision") if bucket == Precision.DAY else Value(bucket),
            ),
        )
        .values_list(*group, "bucket_on", "bucket_precision")
        .annotate(n=Count("*"))
    )


def speech(matching: QuerySet, *, limit: int = TOP_SPEAKERS) -> Speech | None:
    """Who spoke when among ``matching``: the ``limit`` busiest parties' claims counted per
    period. A claim dated more loosely than the period keeps its own, longer, period."""
    top = _top_speakers(matching, limit)
    if not top:
        return None
    speakers, total = top[0][2], int(top[0][3])
    bucket = bucket_for(as_date(top[0][4]), as_date(top[0][5]))
    names = {row[0]: (row[6], row[7]) for row in top}
    counted = per_period(matching.filter(speaker_id__in=names), bucket, "speaker_id")
    rows = [
        SpeechRow(*names[speaker], as_date(day), precision, n)
        for speaker, day, precision, n in counted
    ]
    return Speech(
        rows=rows,
        bucket=bucket,
        total=total,
        speakers=speakers,
        drawn_claims=sum(int(row[1]) for row in top),
    )


def kept(
    key: str, build: Callable[[], T], state: str, *, keep_if: Callable[[T], bool] | None = None
) -> T:
    """``build()`` once per state of the record for ``key``: what was built for an older
    record is never served. ``state`` is the hash of the head of the change history
    (``ChangeRecord.objects.head()``): the hash, not only the id, since an id can come round
    again (a restored database, a rolled-back SQLite insert) and a hash of the chain cannot.
    With ``keep_if``, only a result it accepts is kept (an error page is built every time)."""
    digest = hashlib.sha256(f"{state}|{key}".encode()).hexdigest()
    cache_key = f"timeline-kept:{digest}"
    found = cache.get(cache_key, _NOTHING)
    if found is _NOTHING:
        found = build()
        if keep_if is None or keep_if(found):
            cache.set(cache_key, found, KEPT_FOR)
    return found
