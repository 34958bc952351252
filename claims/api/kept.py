"""API answers kept per state of the record: built and rendered once, then served from the cache
until the next write.

Every write to anything an answer shows adds a change record (by trigger), so the head of the
change history names the state of the record (claims/reading/bands.py, ``kept``). An answer is
kept under that state and under everything else it depends on: the path and its parameters,
the scheme and host its links are made from, whether the reader sees drafts (the only thing
about the user an answer depends on), the version of the serializers, and the renderer and
media type content negotiation chose (``?format=``, ``Accept``: ``indent=`` changes the bytes).
What is kept is the rendered body with its headers (a detail's ETag among them), so a kept
answer costs the head's one indexed look-up and neither serialization nor rendering; the first
answer after a write costs that look-up more than building it did. The browsable API keeps the
data only, since its page is rendered for the user (their name, the forms' CSRF token). Answers
for a ``recorded_by`` point are built every time (they name their point in a header of their
own), and so are errors: only a 200 is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.db import connections, router
from django.db.models import Model
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.clocks import RECORDED_BY
from claims.api.conditional import API_VERSION, ConditionalRetrieveMixin, reader
from claims.models import ChangeRecord
from claims.reading import bands

_M = TypeVar("_M", bound=Model)

# The parts of a built answer that are kept: its status, its body (rendered bytes, or the data
# for the browsable API) and the headers it set.
Kept = tuple[int, Any, list[tuple[str, str]]]

# ChangeRecord.objects.head()'s hash, as SQL written once: compiling the ORM's query on every
# kept answer cost more than the index probe it asks for (the primary key, backwards, 1 row).
_HEAD_SQL = f"SELECT hash FROM {ChangeRecord._meta.db_table} ORDER BY id DESC LIMIT 1"


def record_state() -> str:
    """The hash of the head of the change history; "" for an empty history. One index probe,
    where the request reads (a replica, or the primary after a write: claimtracker/replicas.py)."""
    with connections[router.db_for_read(ChangeRecord)].cursor() as cursor:
        cursor.execute(_HEAD_SQL)
        row = cursor.fetchone()
    return row[0] if row else ""


def answer_key(request: Request) -> str:
    query = urlencode(sorted(request.query_params.lists()), doseq=True)
    where = f"{request.scheme}://{request.get_host()}{request.path}"
    renderer = request.accepted_renderer
    shape = f"{type(renderer).__name__}|{request.accepted_media_type}"
    return f"api|{where}?{query}|{reader(request)}|{shape}|{API_VERSION}"


def _rendered(request: Request, answer: Response) -> Kept:
    """The answer rendered as DRF renders it after the view (``finalize_response``), with the
    context of the view answering (DRF puts it in the request's parser context)."""
    view = request.parser_context["view"]
    answer.accepted_renderer = request.accepted_renderer
    answer.accepted_media_type = request.accepted_media_type
    # An attribute DRF's Response reads in render(), which the stubs do not know of.
    answer.renderer_context = view.get_renderer_context()  # type: ignore[attr-defined]
    answer.render()
    return answer.status_code, answer.content, list(answer.items())


def _data(answer: Response) -> Kept:
    headers = [(k, v) for k, v in answer.items() if k.lower() != "content-type"]
    return answer.status_code, answer.data, headers


def kept_answer(request: Request, build: Callable[[], Response]) -> Response:
    """``build()``'s answer, built once per state of the record for this request's key."""
    if RECORDED_BY.name in request.query_params:
        return build()
    for_browser = isinstance(request.accepted_renderer, BrowsableAPIRenderer)
    status, body, headers = bands.kept(
        answer_key(request),
        lambda: _data(build()) if for_browser else _rendered(request, build()),
        record_state(),
        keep_if=lambda kept: kept[0] == 200,
    )
    answer = Response(body if for_browser else None, status=status)
    if not for_browser:
        answer.content = body  # rendered already: DRF's render() leaves it as it is
    for name, value in headers:
        answer[name] = value
    return answer


class KeptRetrieveMixin(ConditionalRetrieveMixin[_M]):
    """A detail whose full answer is kept per state of the record; a revalidation still
    costs one query and no cache look-up (``ConditionalRetrieveMixin.retrieve``)."""

    def full_answer(self) -> Response:
        return kept_answer(self.request, super().full_answer)
