"""The claim filters as the HTML pages take them: actors and incidents typed by short name."""

from __future__ import annotations

from typing import Any

from django.forms import TextInput

from claims.reading.filters import ClaimFilter


class PageClaimFilter(ClaimFilter):
    """The same filters for the HTML pages, with actors and incidents typed as the short name in
    their address: a drop-down of every actor and incident grows with the record (at 5,000
    actors it was most of the timeline's 4.5 MB). The parameters, and so shared URLs, are the
    API's; an unknown short name is reported on the field."""

    SLUG_FIELDS = {
        # field: (what it names, the hint shown in the empty box)
        "actor": ("actor", "an actor's short name, e.g. white-helmets"),
        "speaker": ("actor", "an actor's short name"),
        "accused": ("actor", "an actor's short name"),
        "incident": ("incident", "an incident's short name"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (what, hint) in self.SLUG_FIELDS.items():
            self.filters[name].extra.update(
                widget=TextInput(attrs={"placeholder": hint, "spellcheck": "false"}),
                error_messages={"invalid_choice": f"No {what} has this short name."},
            )
