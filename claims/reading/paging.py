"""Keyset pages for the claim lists of the HTML pages: a page starts after (or ends before) the
date and id of a row, so no page needs COUNT(*) or an OFFSET that reads every row before it.

The position is held in the URL as ``?after=2017-09-18.1234`` or ``?before=...``: readable,
shareable, and valid for as long as the list's order (date made, then id) holds, even when rows
are added meanwhile.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
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
    previous: Position | None = None  # link to the rows before this page (?before=)
    next: Position | None = None  # link to the rows after this page (?after=)
    message: str = ""  # why the requested position was not used

    @property
    def is_first(self) -> bool:
        return self.previous is None

    @property
    def has_other_pages(self) -> bool:
        return self.previous is not None or self.next is not None


def keyset_page(
    queryset: QuerySet,
    params: QueryDict | Mapping[str, str],
    *,
    prefix: str = "",
    per_page: int = PAGE_SIZE,
) -> KeysetPage:
    """The page ``params`` asks for (``after`` / ``before``, with ``prefix``), in one query for
    the rows (plus the queryset's prefetches, run for this page's rows only).

    One row more than a page is read to learn whether the list goes on. A malformed position
    gives the first page and a message saying so, never an error.
    """
    after, before = params.get(f"{prefix}after"), params.get(f"{prefix}before")
    message = ""
    position = Position.parse(after or before or "") if (after or before) else None
    if (after or before) and (position is None or (after and before)):
        message, position, after, before = BAD_POSITION, None, None, None
    if before and position is not None:
        # Read backwards from the position, then put the page back in date order.
        rows = list(
            queryset.filter(
                Q(made_on__lte=position.made_on),
                Q(made_on__lt=position.made_on) | Q(id__lt=position.id),
            ).order_by("-made_on", "-id")[: per_page + 1]
        )
        more_before = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return KeysetPage(
            object_list=rows,
            previous=Position.of(rows[0]) if rows and more_before else None,
            next=Position.of(rows[-1]) if rows else position,
        )
    if position is not None:
        # ``made_on >= d`` lets the index on the date start at the position; the OR only
        # settles ties on that one date.
        queryset = queryset.filter(
            Q(made_on__gte=position.made_on),
            Q(made_on__gt=position.made_on) | Q(id__gt=position.id),
        )
    rows = list(queryset.order_by("made_on", "id")[: per_page + 1])
    more_after = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(
        object_list=rows,
        previous=(Position.of(rows[0]) if rows else position) if position else None,
        next=Position.of(rows[-1]) if more_after else None,
        message=message,
    )
