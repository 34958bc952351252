"""The two clocks as the pages take them: a date picker for world time (``as_of``) and a field
for record time (``recorded_by``), each refused with a message by its field, never a 500.

The values are read by the one reader of each parameter (claims.reading.asof.as_of_from and
claims.ledger.rebuild.point_from); this form only puts their messages where a reader looks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from claims.ledger.rebuild import Point, point_from, recorded_state
from claims.reading.asof import as_of_from

T = TypeVar("T")


class ClocksForm(forms.Form):
    as_of = forms.CharField(
        label="As the record stood in the world on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only claims and answers made by that day. Loose dates count by the end of "
        "their period: a claim made “in October 2015” counts from 31 October.",
    )
    recorded_by = forms.CharField(
        label="As this database recorded it at",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "a change-record id or 2026-12-01T09:30Z"}),
        help_text="Rebuilt from the hash-chained history: what was published, withdrawn or "
        "corrected then.",
    )

    def clean_as_of(self) -> dt.date | None:
        return _field(lambda: as_of_from(self.data), "as_of")

    def clean_recorded_by(self) -> Point | None:
        value = (self.data.get("recorded_by") or "").strip()
        return _field(lambda: point_from(value), "recorded_by") if value else None


def _field(read: Callable[[], T], name: str) -> T:
    try:
        return read()
    except ValidationError as error:
        raise ValidationError(error.message_dict[name]) from None


@dataclass
class Clocks:
    """What a page reads: the day and the point asked for (None when absent or refused)."""

    form: ClocksForm
    day: dt.date | None = None
    point: Point | None = None

    @property
    def asked(self) -> bool:
        return bool(self.day or self.point)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """The page's reads happen inside: at the point, when one is asked for."""
        if self.point is None:
            yield
            return
        with recorded_state(self.point):
            yield


def clocks_from(params: QueryDict) -> Clocks:
    """The clocks a page's query asks for; a refused one is left out, its message on its field."""
    form = ClocksForm(params)
    form.is_valid()
    data = form.cleaned_data
    return Clocks(form=form, day=data.get("as_of"), point=data.get("recorded_by"))


def kept_params(params: QueryDict, paging: Iterable[str]) -> list[tuple[str, str]]:
    """The query's other parameters, for the clocks form to send on: not the clocks' own, nor
    where a list page starts (a new date starts from the first page)."""
    dropped = {*ClocksForm.base_fields, *paging}
    return [(name, str(value)) for name, value in params.items() if name not in dropped and value]
