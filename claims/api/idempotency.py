"""``Idempotency-Key`` on API writes: a retried write answers what the first one answered.

Every unsafe API request runs in one transaction, as ATOMIC_REQUESTS would make it; with a key,
its answer is stored in that same transaction. So a write that committed always has its key,
however its answer was lost on the way back (a connection killed after COMMIT, a proxy timing
out), and the client's retry with the same key gets that answer instead of writing again. A
server error (5xx) rolls the whole request back and stores nothing, so its retry runs again.

- the same key, method, path and body within IDEMPOTENCY_TTL: the stored answer, marked
  ``Idempotent-Replayed: true``;
- the same key with another body, method or path: 422, naming which;
- the same key while its first request still runs: 409 with Retry-After (PostgreSQL tells at
  once with an advisory lock; elsewhere the unique key makes the second request roll back).

Keys are per user (a token's user or the signed-in one); anonymous writes are refused before.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from claims.models import IdempotencyKey

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"
KEY = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?")  # visible ASCII, ≤ 255
# What a client reads back from a write besides its body.
KEPT_HEADERS = ("Content-Type", "ETag", "Location")
# Answers that say "not now" rather than answering the write: never kept for a replay.
NOT_KEPT = {status.HTTP_409_CONFLICT, status.HTTP_429_TOO_MANY_REQUESTS}

_M = TypeVar("_M", bound=Model)


class KeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "A request with this Idempotency-Key is still being processed; send it again shortly "
        "to get its answer."
    )
    default_code = "idempotency_key_in_use"
    wait = 1  # DRF's handler sends it as Retry-After


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class Replay(Exception):
    """The stored answer of this key's first request, to send instead of running it again."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("replay")
        self.response = response


@dataclass(frozen=True)
class Attempt:
    user_id: int
    key: str
    method: str
    path: str
    body_sha256: str


def body_sha256(request: Request) -> str:
    """SHA-256 of the body as parsed: JSON whatever its spacing and key order, a form's fields
    with each uploaded file by its bytes (a retried upload has a new multipart boundary)."""
    data = request.data
    if isinstance(data, QueryDict):
        data = sorted(
            (name, file_sha256(value) if hasattr(value, "chunks") else value)
            for name in data
            for value in data.getlist(name)
        )
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"file:{upload.name}:{digest.hexdigest()}"


def begin(request: Request) -> Attempt | None:
    """Check this write's key; raise Replay, KeyInUse or KeyReused, or return the attempt to
    keep the answer of. Runs inside the request's transaction, after authentication."""
    key = request.headers.get(HEADER)
    method = request.method
    if key is None or method is None or not request.user.is_authenticated:
        return None
    if not KEY.fullmatch(key):
        raise exceptions.ValidationError(
            {HEADER: ["Send 1 to 255 printable ASCII characters, such as a random UUID."]}
        )
    attempt = Attempt(request.user.pk, key, method, request.get_full_path(), body_sha256(request))
    hold(attempt)
    stored = IdempotencyKey.objects.filter(user_id=attempt.user_id, key=key).first()
    if stored is not None and stored.is_expired:
        stored.delete()
        stored = None
    if stored is not None:
        check_same_request(stored, attempt)
        raise Replay(replayed(stored))
    return attempt


def hold(attempt: Attempt) -> None:
    """On PostgreSQL, hold the key until this transaction ends; 409 if another request does."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"idempotency|{attempt.user_id}|{attempt.key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], signed=True)]
        )
        if not cursor.fetchone()[0]:
            raise KeyInUse()


def check_same_request(stored: IdempotencyKey, attempt: Attempt) -> None:
    if (stored.method, stored.path) != (attempt.method, attempt.path):
        raise KeyReused(
            f"This Idempotency-Key was first sent with {stored.method} {stored.path}; "
            "send a new key for another request."
        )
    if stored.body_sha256 != attempt.body_sha256:
        raise KeyReused(
            "This Idempotency-Key was first sent with another body; send a new key for "
            "another request."
        )


def replayed(stored: IdempotencyKey) -> HttpResponse:
    answer = HttpResponse(bytes(stored.body), status=stored.status_code)
    for name, value in stored.headers.items():
        answer[name] = value
    answer["Idempotent-Replayed"] = "true"
    return answer


def keep(attempt: Attempt, response: HttpResponseBase) -> bool:
    """Store ``response`` as the key's answer, in the write's transaction; False when another
    request with the key committed first (the caller then rolls this one back). A streamed
    answer has no body to keep: it is not kept (no write answers with one)."""
    if response.status_code >= 500 or response.status_code in NOT_KEPT:
        return True
    if not isinstance(response, HttpResponse):
        return True
    if hasattr(response, "render"):
        response.render()
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(
                user_id=attempt.user_id,
                key=attempt.key,
                method=attempt.method,
                path=attempt.path,
                body_sha256=attempt.body_sha256,
                status_code=response.status_code,
                headers={h: response[h] for h in KEPT_HEADERS if h in response},
                body=response.content,
            )
    except IntegrityError:
        return False
    return True


class IdempotentWritesMixin(GenericAPIView[_M]):
    """For every API view that writes: one transaction per unsafe request, and its key kept.

    tests/test_api_idempotency.py checks that every view with an unsafe method has it.
    """

    idempotency: Attempt | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in UNSAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 500:
                # An answer of "it failed" must mean nothing was written.
                transaction.set_rollback(True)
            elif self.idempotency is not None and not keep(self.idempotency, response):
                transaction.set_rollback(True)
                response = self.finalize_response(
                    self.request, super().handle_exception(KeyInUse()), *args, **kwargs
                )
        return response

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in UNSAFE_METHODS:
            self.idempotency = begin(request)

    # DRF's dispatch() finalizes any HttpResponse a handler returns; the stubs say Response only.
    def handle_exception(self, exc: Exception) -> Response | HttpResponse:  # type: ignore[override]
        if isinstance(exc, Replay):
            return exc.response
        return super().handle_exception(exc)
