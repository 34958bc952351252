"""Pairs of parties whose ranges lie far apart, counted without listing them.

The ``apart`` rule sets every party's latest range against every other's: the busiest incident
at a million claims has half a million such pairs, and a page shows forty. With the ranges sorted
by bottom, the ranges lying far above a given one are a run at the end of that order; with the
closed ones sorted by top, those lying far below it are a run at the start. Bisection finds where
each run begins, so counting costs a logarithm per party and listing costs what is listed.

Ranges are (bottom, top) pairs, top None for an open end; a range's index is its party's place
in the order the flags go in (parties by id), so a pair is (i, j) with i < j.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from heapq import nsmallest
from itertools import chain

Span = tuple[int, int | None]


def ratio_of(bottom: int, top: int) -> float | None:
    """The higher range's bottom over the lower one's top, as a flag states it (to two places);
    none for a top of zero, which every positive bottom lies above."""
    return round(bottom / top, 2) if top else None


def far_apart(top: int | None, bottom: int, least: float) -> bool:
    """A range ending at ``top`` lies wholly below one starting at ``bottom``, by ``least`` times
    at least (the ratio rounded as stated, so a pair flagged reads its own ratio as enough)."""
    if top is None or top >= bottom:
        return False
    ratio = ratio_of(bottom, top)
    return ratio is None or ratio >= least


class ApartPairs:
    """The pairs of ``spans`` that lie far apart: how many, and which, in the flags' order.

    ``far_apart`` only grows with the higher bottom and only shrinks with the lower top (the
    rounded ratio is monotonic in both), which is what lets bisection stand in for the pairs.
    """

    def __init__(self, spans: Sequence[Span], least: float) -> None:
        self.spans, self.least = spans, least
        self.by_bottom = sorted(range(len(spans)), key=lambda i: spans[i][0])
        self.bottoms = [spans[i][0] for i in self.by_bottom]
        closed = [i for i in range(len(spans)) if spans[i][1] is not None]
        self.by_top = sorted(closed, key=lambda i: spans[i][1] or 0)
        self.tops = [spans[i][1] or 0 for i in self.by_top]

    def _above_from(self, i: int) -> int:
        """Where, in the order by bottom, the ranges lying far above range ``i`` begin."""
        top = self.spans[i][1]
        if top is None:  # an open end lies below nothing
            return len(self.bottoms)
        return bisect_left(self.bottoms, True, key=lambda b: far_apart(top, b, self.least))

    def _below_to(self, i: int) -> int:
        """Where, in the order by top, the ranges lying far below range ``i`` end."""
        bottom = self.spans[i][0]
        return bisect_left(self.tops, True, key=lambda t: not far_apart(t, bottom, self.least))

    def partner_count(self, i: int) -> int:
        """How many ranges range ``i`` lies far apart from, above or below."""
        return len(self.bottoms) - self._above_from(i) + self._below_to(i)

    def partners(self, i: int, first: int | None = None) -> list[int]:
        """The ranges range ``i`` lies far apart from, in index order (the first ``first``)."""
        found = chain(self.by_bottom[self._above_from(i) :], self.by_top[: self._below_to(i)])
        return sorted(found) if first is None else nsmallest(first, found)

    def count(self, among: Iterable[int] | None = None) -> int:
        """How many pairs lie far apart (with ``among``: pairs with at least one range of it)."""
        if among is None:  # each pair once, from its lower range
            return sum(len(self.bottoms) - self._above_from(i) for i in range(len(self.spans)))
        chosen = sorted(set(among))
        touching = sum(self.partner_count(i) for i in chosen)
        # A pair with both ranges chosen was counted from each end.
        return touching - ApartPairs([self.spans[i] for i in chosen], self.least).count()

    def is_pair(self, i: int, j: int) -> bool:
        (bottom_i, top_i), (bottom_j, top_j) = self.spans[i], self.spans[j]
        return far_apart(top_i, bottom_j, self.least) or far_apart(top_j, bottom_i, self.least)

    def pairs(self, among: Iterable[int] | None = None) -> Iterator[tuple[int, int]]:
        """The pairs (i, j), i < j, lying far apart, in order of i then j, one at a time (with
        ``among``: those with at least one range of it). A caller stopping after forty pays for
        the ranges it walked past, never for the pairs it did not take."""
        chosen = None if among is None else set(among)
        ordered = [] if chosen is None else sorted(chosen)
        for i in range(len(self.spans)):
            if chosen is None or i in chosen:
                later = [j for j in self.partners(i) if j > i]
            else:  # only pairs with a chosen range, found among the chosen after i
                start = bisect_right(ordered, i)
                later = [j for j in ordered[start:] if self.is_pair(i, j)]
            for j in later:
                yield i, j
