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
