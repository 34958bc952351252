"""Pages kept per state of the record: a claim's or an incident's page is built once, then
served from the cache until the next write.

Every write to anything a page shows adds a change record (by trigger), so the head of the
change history names the state of the record (claims/reading/bands.py, ``kept``); the page's
conditional GET reads it first (``current_version``, one indexed look-up) and leaves it on the
request. A page is kept under that state and under everything else it depends on: its path and
parameters (the clocks, the order, the page of threads), the host, whether the reader sees
drafts (the only thing about the user a page shows: drafts, draft gradings, the editors' note
in the footer) and the version of the code and templates. Only a 200 is kept: a 404 or a
refused parameter is answered afresh every time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse

from claims.models import ChangeRecord, reads_drafts
from claims.models.ledger import TrustedTimestamp
from claims.reading import bands
from claimtracker.versions import code_version

# A deployment that changes a page or its templates does not serve pages the old code built.
KEPT_VERSION = code_version(
    [*sorted(Path(__file__).parent.glob("*.py")), *sorted(Path(settings.TEMPLATES_DIR).rglob("*"))]
)

View = Callable[..., HttpResponse]


def page_state() -> tuple[int, str]:
    """The head's id, and a state naming the head's hash and what else pages show that no change
    record names: the newest time-stamp token (a job stores tokens outside the history; they are
    never changed once stored) and whether a time-stamping authority is configured. One query."""
    newest_stamp = Subquery(TrustedTimestamp.objects.order_by("-id").values("id")[:1])
    row = (
        ChangeRecord.objects.order_by("-id")
        .annotate(stamp=newest_stamp)
        .values_list("id", "hash", "stamp")
        .first()
    )
    head, digest, stamp = row or (0, "", None)
    authority = "tsa" if settings.TSA_URL else "no-tsa"
    return head, f"{digest}.{stamp or 0}.{authority}"


def page_key(request: HttpRequest) -> str:
    query = urlencode(sorted(request.GET.lists()), doseq=True)
    reader = "d" if reads_drafts(request.user) else "p"
    return f"page|{request.get_host()}{request.path}?{query}|{reader}|{KEPT_VERSION}"


def kept_page(view: View) -> View:
    """``view``'s answer, built once per state of the record for each key. Goes under
    ``condition(etag_func=current_version)``, which has read the head before the view runs."""

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        built: list[HttpResponse] = []

        def build() -> tuple[int, bytes, str]:
            answer = view(request, *args, **kwargs)
            built.append(answer)
            return answer.status_code, answer.content, answer["Content-Type"]

        state = request.record_head[1]  # type: ignore[attr-defined]  # kept by current_version
        status, content, content_type = bands.kept(
            page_key(request), build, state, keep_if=lambda parts: parts[0] == 200
        )
        # Built now: the view's own answer, with every header it set (a redirect's Location).
        if built:
            return built[0]
        return HttpResponse(content, status=status, content_type=content_type)

    return page
