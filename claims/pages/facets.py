"""The timeline's facets as links, and its order field.

A facet value's link is the current address with that filter added (and the page position
dropped: the list it leads to is another list); a value already chosen shows as active, with a
link that removes the filter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import QueryDict

from claims.reading.facets import Facet
from claims.reading.paging import ORDER_LABELS, ORDERS, unknown_order

# Where a list starts: a new filter or order starts from its first page.
POSITION_PARAMS = ("after", "before", "page")


class OrderForm(forms.Form):
    # Text with a drop-down, not a choice: ``oldest``, the default, is its empty option, and a
    # shared address that names it still reads.
    order = forms.CharField(
        label="Order",
        required=False,
        widget=forms.Select(choices=[("", ORDER_LABELS["oldest"]), ("newest", "newest first")]),
    )

    def clean_order(self) -> str:
        value = self.cleaned_data["order"]
        if value and value not in ORDERS:
            raise forms.ValidationError(unknown_order(value))
        return value


def order_from(params: QueryDict) -> tuple[OrderForm, bool]:
    """The order field and whether the list reads newest first; an unknown order is refused on
    its field and the list keeps its default order."""
    form = OrderForm(params)
    if not form.is_valid():
        return form, False
    return form, ORDERS.get(form.cleaned_data["order"], False)


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    href: str
    active: bool  # chosen: ``href`` removes the filter


@dataclass(frozen=True)
class FacetLinks:
    name: str
    label: str
    links: list[FacetLink]
    other_values: int
    other_count: int
    scanned: int | None = None  # counted over this many of the matching claims: floors


def _href(params: QueryDict, name: str, value: str | None) -> str:
    query = params.copy()
    for position in POSITION_PARAMS:
        query.pop(position, None)
    if value is None:
        query.pop(name, None)
    else:
        query[name] = value
    return f"?{query.urlencode()}" if query else "?"


def facet_links(facets: dict[str, Facet], params: QueryDict) -> list[FacetLinks]:
    """Each facet with a link per value that adds (or, when chosen, removes) its filter."""
    shown = []
    for facet in facets.values():
        chosen = params.get(facet.name)
        links = [
            FacetLink(
                value.label,
                value.count,
                _href(params, facet.name, None if value.value == chosen else value.value),
                value.value == chosen,
            )
            for value in facet.values
        ]
        shown.append(
            FacetLinks(
                facet.name,
                facet.label,
                links,
                facet.other_values,
                facet.other_count,
                facet.scanned,
            )
        )
    return shown
