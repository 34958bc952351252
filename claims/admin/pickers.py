"""The admin's pickers (autocomplete fields) say enough to choose by.

A claim picker showed "speaker: summary…" and a document picker the title alone; the results
now carry what tells two apart (a claim's date, incident and status; a document's publisher
and date), from the model admin's ``picker_label`` (which claims/admin_site.py's view asks
for). ``static/editors/pickers.js``
keeps Enter from choosing among results of an earlier search.
"""

from __future__ import annotations

from typing import Any

from claimtracker.dates import describe


def claim_label(claim: Any) -> str:
    """ "White Helmets, 26 Sep 2017: The White Helmets say … · Idlib airstrikes · published"."""
    summary = claim.summary if len(claim.summary) <= 80 else claim.summary[:79] + "…"
    parts = [f"{claim.speaker.name}, {describe(claim.made_on, claim.made_precision)}: {summary}"]
    parts.append(claim.incident.title if claim.incident_id else "no incident")
    parts.append(claim.get_status_display())
    return " · ".join(parts)


def document_label(document: Any) -> str:
    """ "Report title · RT · 26 Sep 2017"."""
    publisher = document.publisher.name if document.publisher_id else "publisher not recorded"
    return " · ".join(
        [document.title, publisher, describe(document.published_on, document.published_precision)]
    )
