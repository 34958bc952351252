"""Template helpers for the analyst pages: links that keep the filters held in the URL."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: template.Context, param: str, number: int, anchor: str = "") -> str:
    """The current URL's query string with ``param`` set to ``number``, so filters survive paging.

    Several lists on one page (an actor's claims, the claims about it) page independently, which
    is why the parameter name is an argument; Django's ``{% querystring %}`` takes fixed names.
    """
    query = context["request"].GET.copy()
    query[param] = str(number)
    return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")


@register.simple_tag(takes_context=True)
def keyset_url(
    context: template.Context, direction: str, position: object, anchor: str = "", prefix: str = ""
) -> str:
    """The current URL with the list continuing ``direction`` ("after" or "before") ``position``;
    the other direction's position is dropped, the filters kept. No position: the first page."""
    query = context["request"].GET.copy()
    for name in ("after", "before"):
        query.pop(f"{prefix}{name}", None)
    if position is not None:
        query[f"{prefix}{direction}"] = str(position)
    return (f"?{query.urlencode()}" if query else "?") + (f"#{anchor}" if anchor else "")


@register.simple_tag(takes_context=True)
def order_url(context: template.Context, order: str, anchor: str = "") -> str:
    """The current URL read in ``order`` ("newest" or "oldest"), from the list's first page."""
    query = context["request"].GET.copy()
    for name in ("after", "before", "page"):
        query.pop(name, None)
    query["order"] = order
    return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")
