"""The claim filters as the HTML pages take them: actors and incidents typed by any name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from claims.reading.filters import ClaimFilter
from claims.reading.names import Found, find_actor, find_incident
from claims.reading.visibility import reader_of

PAGING_PARAMS = ("after", "before", "page")


class NameField(forms.CharField):
    """A name, alias, short name or part of one, cleaned to the one row it names; a text that
    names none, or several, is refused with what it found kept on the field (``found``)."""

    def __init__(self, *, find: Callable[..., Found], what: str, reader: Any = None, **kwargs: Any):
        self.find, self.what, self.reader = find, what, reader
        self.found: Found | None = None
        super().__init__(**{**kwargs, "required": False})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        found = self.find(text, self.reader)
        if found.row is not None:
            return found.row
        self.found = found
        if found.candidates:
            raise ValidationError(f"“{text}” fits several {self.what}s: choose one below.")
        raise ValidationError(f"No {self.what} is {NOTHING[self.what]} “{text}”.")


NOTHING = {"actor": "named or also known as", "incident": "titled or placed at"}


class NameFilter(django_filters.Filter):
    field_class = NameField


def _name_filter(label: str, what: str, hint: str, **kwargs: Any) -> NameFilter:
    find = find_actor if what == "actor" else find_incident
    widget = forms.TextInput(attrs={"placeholder": hint, "spellcheck": "false"})
    return NameFilter(label=label, find=find, what=what, widget=widget, **kwargs)


@dataclass
class Suggestion:
    """A row a refused filter may have meant, and the page's address with it chosen."""

    label: str
    href: str


@dataclass
class Suggestions:
    """What a refused filter said, and the rows it may have meant."""

    text: str
    links: list[Suggestion]


class PageClaimFilter(ClaimFilter):
    """The same filters for the HTML pages, with actors and incidents typed as a name, an
    alias, a short name or part of one (a drop-down of every actor and incident grows with the
    record: at 5,000 actors it was most of the timeline's 4.5 MB). The API keeps taking short
    names; a text naming none, or several, is reported on its field with the rows it may mean."""

    # The API's filters take a short name from a list; these take any name typed.
    speaker = _name_filter(  # type: ignore[assignment]
        "Speaker", "actor", "a name or alias", field_name="speaker"
    )
    accused = _name_filter(  # type: ignore[assignment]
        "Accused", "actor", "a name or alias", method="filter_accused"
    )
    actor = _name_filter(  # type: ignore[assignment]
        "Actor (as speaker or accused)", "actor", "e.g. White Helmets", method="filter_actor"
    )
    incident = _name_filter(  # type: ignore[assignment]
        "Incident", "incident", "a title or place", field_name="incident"
    )

    NAMED = ("actor", "incident", "speaker", "accused")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.NAMED:
            self.filters[name].extra["reader"] = reader_of(self.request)

    def api_params(self) -> QueryDict:
        """The query as the API takes it: each name typed replaced by the short name it found,
        without the page's own paging."""
        params = cast(QueryDict, self.data).copy()  # the request's GET
        for name in PAGING_PARAMS:
            params.pop(name, None)
        cleaned = getattr(self.form, "cleaned_data", {})
        for name in self.NAMED:
            if cleaned.get(name) is not None:
                params[name] = cleaned[name].slug
        return params

    def read_as(self) -> list[tuple[str, str]]:
        """(what was typed, the name it was read as) for each name field that found a row by
        anything but its exact short name or name, so the reader sees whom the page shows."""
        cleaned = getattr(self.form, "cleaned_data", {})
        read = []
        for name in self.NAMED:
            row, typed = cleaned.get(name), str((self.data or {}).get(name) or "").strip()
            named = str(getattr(row, "name", None) or getattr(row, "title", ""))
            if row is not None and typed.casefold() not in (row.slug, named.casefold()):
                read.append((typed, named))
        return read

    def suggestions(self, path: str) -> list[Suggestions]:
        """For each name field refused for naming several rows, those rows, each linked with it
        chosen."""
        found: list[Suggestions] = []
        params = cast(QueryDict, self.data).copy()  # the request's GET
        for name in PAGING_PARAMS:
            params.pop(name, None)
        for name in self.NAMED:
            field = self.form.fields[name]
            if not isinstance(field, NameField) or not (field.found and field.found.candidates):
                continue
            links = []
            for row in field.found.candidates:
                params[name] = row.slug
                label = str(getattr(row, "name", None) or getattr(row, "title", ""))
                links.append(Suggestion(label, f"{path}?{params.urlencode()}"))
            params[name] = field.found.text
            found.append(Suggestions(field.found.text, links))
        return found
