"""API answers kept per state of the record: built once, then served from the cache until the
next write.

Every write to anything an answer shows adds a change record (by trigger), so the head of the
change history names the state of the record (claims/reading/bands.py, ``kept``). An answer is
kept under that state and under everything else it depends on: the path and its parameters,
the scheme and host its links are made from, whether the reader sees drafts (the only thing
about the user an answer depends on) and the version of the serializers. A kept answer costs
the head's one indexed look-up and no serialization; the first answer after a write costs that
look-up more than building it did. Answers for a ``recorded_by`` point are built every time
(they name their point in a header of their own), and so are errors: only a 200 is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.db.models import Model
from rest_framework.request import Request
from rest_framework.response import Response

from claims.api.clocks import RECORDED_BY
from claims.api.conditional import API_VERSION, ConditionalRetrieveMixin, reader
from claims.models import ChangeRecord
from claims.reading import bands

_M = TypeVar("_M", bound=Model)

# The parts of a built answer that are kept: its status, its data and the headers it set.
Kept = tuple[int, object, list[tuple[str, str]]]


def answer_key(request: Request) -> str:
    query = urlencode(sorted(request.query_params.lists()), doseq=True)
    where = f"{request.scheme}://{request.get_host()}{request.path}"
    return f"api|{where}?{query}|{reader(request)}|{API_VERSION}"


def _frozen(answer: Response) -> Kept:
    headers = [(k, v) for k, v in answer.items() if k.lower() != "content-type"]
    return answer.status_code, answer.data, headers


def kept_answer(request: Request, build: Callable[[], Response]) -> Response:
    """``build()``'s answer, built once per state of the record for this request's key."""
    if RECORDED_BY.name in request.query_params:
        return build()
    state = ChangeRecord.objects.head()[1]
    status, data, headers = bands.kept(
        answer_key(request), lambda: _frozen(build()), state, keep_if=lambda kept: kept[0] == 200
    )
    answer = Response(data, status=status)
    for name, value in headers:
        answer[name] = value
    return answer


class KeptRetrieveMixin(ConditionalRetrieveMixin[_M]):
    """A detail whose full answer is kept per state of the record; a revalidation still
    costs one query and no cache look-up (``ConditionalRetrieveMixin.retrieve``)."""

    def full_answer(self) -> Response:
        return kept_answer(self.request, super().full_answer)
