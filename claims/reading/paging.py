"""Keyset pages for the claim lists of the HTML pages: a page starts after (or ends before) the
date and id of a row, so no page needs COUNT(*) or an OFFSET that reads every row before it.

The position is held in the URL as ``?after=2017-09-18.1234`` or ``?before=...``: readable,
shareable, and valid for as long as the list's order (date made, then id) holds, even when rows
are added meanwhile. ``?order=newest`` reads the same lists the other way (``ORDERS``); the index
pages page in orders of their own (``register_page``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Case, Exists, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict

from claims.models import Claim

PAGE_SIZE = 25
_POSITION = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{1,18})$")
BAD_POSITION = "The page link was not understood, so the list starts from the beginning."


@dataclass(frozen=True)
class Position:
    """The sort key of a row: the date made and the id."""

    made_on: dt.date
    id: int

    def __str__(self) -> str:
        return f"{self.made_on.isoformat()}.{self.id}"

    @classmethod
    def parse(cls, value: str) -> Position | None:
        match = _POSITION.match(value)
        if match is None:
            return None
        try:
            return cls(dt.date.fromisoformat(match[1]), int(match[2]))
        except ValueError:
            return None

    @classmethod
    def of(cls, row: Claim) -> Position:
        return cls(row.made_on, row.pk)


@dataclass
class KeysetPage:
    """One page of a list in (made_on, id) order, with the positions its links continue from."""

    object_list: list = field(default_factory=list)
    # Links to the rows before this page (?before=) and after it (?after=): a position, or a
    # row's id in the index pages (register_page).
    previous: Position | int | None = None
    next: Position | int | None = None
    message: str = ""  # why the requested position was not used

    @property
    def is_first(self) -> bool:
        return self.previous is None

    @property
    def has_other_pages(self) -> bool:
        return self.previous is not None or self.next is not None


def _beyond(position: Position, later: bool) -> Q:
    """Rows after ``position`` in time (``later``) or before it. ``made_on >= d`` lets the index
    on the date start at the position; the OR only settles ties on that one date."""
    if later:
        return Q(made_on__gte=position.made_on) & (
            Q(made_on__gt=position.made_on) | Q(id__gt=position.id)
        )
    return Q(made_on__lte=position.made_on) & (
        Q(made_on__lt=position.made_on) | Q(id__lt=position.id)
    )


FORWARD = ("made_on", "id")
BACKWARD = ("-made_on", "-id")


def keyset_page(
    queryset: QuerySet,
    params: QueryDict | Mapping[str, str],
    *,
    prefix: str = "",
    per_page: int = PAGE_SIZE,
    newest_first: bool = False,
) -> KeysetPage:
    """The page ``params`` asks for (``after`` / ``before``, with ``prefix``), in one query for
    the rows (plus the queryset's prefetches, run for this page's rows only), oldest first or,
    with ``newest_first``, newest first: "after" is then further back in time.

    One row more than a page is read to learn whether the list goes on. A malformed position
    gives the first page and a message saying so, never an error.
    """
    after, before = params.get(f"{prefix}after"), params.get(f"{prefix}before")
    message = ""
    position = Position.parse(after or before or "") if (after or before) else None
    if (after or before) and (position is None or (after and before)):
        message, position, after, before = BAD_POSITION, None, None, None
    later = not newest_first  # which way through time the list reads
    if before and position is not None:
        # Read backwards from the position, then put the page back in the list's order.
        rows = list(
            queryset.filter(_beyond(position, not later)).order_by(
                *(BACKWARD if later else FORWARD)
            )[: per_page + 1]
        )
        more_before = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return KeysetPage(
            object_list=rows,
            previous=Position.of(rows[0]) if rows and more_before else None,
            next=Position.of(rows[-1]) if rows else position,
        )
    if position is not None:
        queryset = queryset.filter(_beyond(position, later))
    rows = list(queryset.order_by(*(FORWARD if later else BACKWARD))[: per_page + 1])
    more_after = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        object_list=rows,
        previous=(Position.of(rows[0]) if rows else position) if position else None,
        next=Position.of(rows[-1]) if more_after else None,
        message=message,
    )


# --- Orders ---------------------------------------------------------------------------------

# ``?order=`` of the claim lists (timeline page, API lists): the value, and whether it reads
# newest first. Without it each list keeps its own order (the timeline oldest first).
ORDERS = {"oldest": False, "newest": True}
ORDER_LABELS = {"oldest": "oldest first", "newest": "newest first"}


def unknown_order(value: str) -> str:
    accepted = ", ".join(ORDERS)
    return f"Unknown order {value!r}: give one of {accepted}."


# --- Registers ------------------------------------------------------------------------------
#
# The index pages (incidents, actors, documents) page the same way, in orders of their own:
# the position in the URL is the id of the row a page ends (or starts) at, and the row's sort
# keys are read from it by a sub-query that PostgreSQL runs once (an InitPlan), so a name or a
# title never has to be written into a link.
#
# An order may start with a column that can be empty (``undated``: the documents' publication
# date). Its rows with a value come first, then those without one, in the order's other keys:
# each part is one walk of the same index (the empty values are all at one end of it), read in
# one statement (UNION ALL of the two walks, each LIMITed), so neither part is ever sorted.

_ROW = re.compile(r"^\d{1,18}$")


def _key_of(queryset: QuerySet, anchor: int, name: str) -> Subquery:
    return Subquery(queryset.filter(pk=anchor).order_by().values(name)[:1])


def _after_row(queryset: QuerySet, anchor: int, order: Sequence[str]) -> Q:
    """Rows that come after row ``anchor`` in ``order`` (names of columns or annotations, ``-``
    for descending, ending with the id). The first key is also bounded on its own (``>=`` or
    ``<=`` the anchor's) so that the index on it starts at the position: the ORs only settle
    ties. If the anchor's first key is empty every comparison is unknown: no row matches."""
    condition, ties = Q(), Q()
    for key in order:
        name = key.lstrip("-")
        value = anchor if name in ("id", "pk") else _key_of(queryset, anchor, name)
        beyond = "lt" if key.startswith("-") else "gt"
        condition |= ties & Q(**{f"{name}__{beyond}": value})
        ties &= Q(**{name: value})
    first = order[0].lstrip("-")
    if len(order) > 1 and first not in ("id", "pk"):
        bound = "lte" if order[0].startswith("-") else "gte"
        condition = Q(**{f"{first}__{bound}": _key_of(queryset, anchor, first)}) & condition
    return condition


def _reversed(order: Sequence[str]) -> list[str]:
    return [key[1:] if key.startswith("-") else f"-{key}" for key in order]


def _read(
    queryset: QuerySet,
    anchor: int | None,
    order: Sequence[str],
    undated: str | None,
    limit: int,
    *,
    backwards: bool,
) -> list:
    """Up to ``limit`` rows after ``anchor`` in ``order`` (read the other way with
    ``backwards``); with ``undated``, the rows whose first key is empty follow the others (so,
    backwards, they come first)."""
    walk = _reversed(order) if backwards else list(order)
    if queryset.query.is_empty():
        return []  # .none(): Django's UNION would drop the empty part and then not sort
    if undated is None:
        if anchor is not None:
            queryset = queryset.filter(_after_row(queryset, anchor, walk))
        return list(queryset.order_by(*walk)[:limit])
    dated = queryset.filter(**{f"{undated}__isnull": False})
    empty = queryset.filter(**{f"{undated}__isnull": True})
    if anchor is not None:
        anchor_dated = Exists(dated.filter(pk=anchor))
        ties = _after_row(queryset, anchor, walk[1:])
        if backwards:
            # The undated rows before an undated anchor; then the dated rows before a dated
            # anchor, or all of them, from the latest (the bound starts the index there).
            empty = empty.filter(~anchor_dated & ties)
            start = Coalesce(_key_of(queryset, anchor, undated), Value(dt.date.min))
            dated = dated.filter(
                Q(**{f"{undated}__gte": start}) & (~anchor_dated | _after_row(dated, anchor, walk))
            )
        else:
            # The dated rows after a dated anchor (none after an undated one); then every
            # undated row after a dated anchor, or those after an undated one.
            dated = dated.filter(_after_row(queryset, anchor, walk))
            empty = empty.filter(anchor_dated | ties)
    if not connections[queryset.db].features.supports_slicing_ordering_in_compound:
        # SQLite cannot LIMIT the parts of a UNION: one statement sorting both parts, as a
        # small database can afford (the walks are for PostgreSQL at scale).
        part = Case(
            When(**{f"{undated}__isnull": False}, then=Value(1 if backwards else 0)),
            default=Value(0 if backwards else 1),
        )
        return list((dated | empty).annotate(part=part).order_by("part", *walk)[:limit])
    parts = [
        dated.annotate(part=Value(1 if backwards else 0)).order_by(*walk)[:limit],
        empty.annotate(part=Value(0 if backwards else 1)).order_by(*walk[1:])[:limit],
    ]
    return list(parts[0].union(parts[1], all=True).order_by("part", *walk)[:limit])


def register_page(
    queryset: QuerySet,
    params: QueryDict | Mapping[str, str],
    order: Sequence[str],
    *,
    undated: str | None = None,
    per_page: int = PAGE_SIZE,
) -> KeysetPage:
    """A page of an index in ``order`` (see ``_after_row``; ``undated`` names a first key that
    may be empty, see above), from ``?after=`` / ``?before=`` a row's id; like
    ``keyset_page``, a malformed position gives the first page and a message."""
    after, before = params.get("after"), params.get("before")
    message = ""
    given = after or before
    if given and (not _ROW.match(given) or (after and before)):
        message, after, before, given = BAD_POSITION, None, None, None
    anchor = int(given) if given else None
    if before and anchor is not None:
        rows = _read(queryset, anchor, order, undated, per_page + 1, backwards=True)
        more_before = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return KeysetPage(
            object_list=rows,
            previous=rows[0].pk if rows and more_before else None,
            next=rows[-1].pk if rows else anchor,
        )
    rows = _read(queryset, anchor, order, undated, per_page + 1, backwards=False)
    more_after = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        object_list=rows,
        previous=(rows[0].pk if rows else anchor) if anchor is not None else None,
        next=rows[-1].pk if more_after else None,
        message=message,
    )
