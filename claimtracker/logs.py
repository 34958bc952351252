"""Logging: one request id per request (or task), text or JSON lines, and secrets redacted.

Standard library only: a filter stamps every record with the current request id, two formatters
write it as text or as one JSON object per line, and both pass the finished line through
``redact`` so that tokens, passwords, cookies, credentials in URLs and the SECRET_KEY never reach
a log, whichever logger (ours, Django's, Celery's, a library's) wrote them.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import logging.config
import re
import uuid
from typing import Any

from django.conf import settings

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

# An id a proxy or client sent is kept when it is plainly an id; anything else is replaced, so a
# header can never smuggle a fake log line or markup into a log or the 500 page.
_USABLE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")

REDACTED = "[redacted]"
_SENSITIVE_WORDS = (
    r"password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|sessionid|session|csrftoken"
    r"|csrfmiddlewaretoken|authorization|cookie|signature|dsn"
)
_PATTERNS = [
    # Our API tokens wherever they appear: "ct_" and 43 URL-safe characters.
    (re.compile(r"\bct_[A-Za-z0-9_-]{16,}"), REDACTED),
    # Authorization: Token … / Bearer … / Basic …
    (re.compile(r"(?i)\b(token|bearer|basic)(\s+)[A-Za-z0-9._~+/=-]{16,}"), rf"\1\2{REDACTED}"),
    # user:password@ in any URL (database, broker, cache, Sentry DSN).
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@"), rf"\1{REDACTED}@"),
    # key=value, key: value, "key": "value" for sensitive keys (query strings, forms, headers,
    # reprs of dicts). The key may be part of a longer name: new_password1, HTTP_AUTHORIZATION.
    (
        re.compile(
            rf"(?i)(\b\w*(?:{_SENSITIVE_WORDS})\w*[\"']?\s*[:=]\s*[\"']?)"
            rf"(?!{re.escape(REDACTED)})([^\s\"'&,;}}\]]+)"
        ),
        rf"\1{REDACTED}",
    ),
]


def new_request_id() -> str:
    return uuid.uuid4().hex


def usable_request_id(sent: str | None) -> str:
    """The id a proxy sent in X-Request-ID when it looks like one, else a fresh one."""
    return sent if sent and _USABLE_ID.fullmatch(sent) else new_request_id()


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for; None outside both."""
    return _request_id.get()


def bind_request_id(value: str | None) -> contextvars.Token:
    return _request_id.set(value)


def unbind_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


def _secret_values() -> list[str]:
    if not settings.configured:
        return []
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [key for key in keys if isinstance(key, str) and len(key) >= 8]


def redact(text: str) -> str:
    """``text`` with every secret we can recognise replaced by [redacted]."""
    for secret in _secret_values():
        text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id ("-" outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        return True


def _request_id_of(record: logging.LogRecord) -> str | None:
    stamped = getattr(record, "request_id", None)
    return current_request_id() if stamped in (None, "-") else stamped


class TextFormatter(logging.Formatter):
    """``time level logger [request id] message``, then the traceback if any; redacted."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


# Fields a request line carries besides its message (see claimtracker.middleware). Other extras
# a library attaches (Django's ``request`` object, for one) are never written out.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message, request fields,
    and the traceback as ``exc_info``; every string redacted."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "request_id": _request_id_of(record),
            "message": record.getMessage(),
        }
        line |= {f: getattr(record, f) for f in REQUEST_FIELDS if hasattr(record, f)}
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(
            {k: redact(v) if isinstance(v, str) else v for k, v in line.items()},
            ensure_ascii=False,
            default=str,
        )


def logging_config(*, log_format: str, level: str, tasks_in_process: bool) -> dict[str, Any]:
    """The LOGGING setting: everything to stderr through one handler, in the chosen format."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    # A worker's "task succeeded" lines are its record; run in-process (no broker), they would
    # only bury a command's own output. Failures are errors and are logged either way.
    celery_level = "WARNING" if tasks_in_process else level
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"chosen": {"()": formatter}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["request_id"],
                "formatter": "chosen",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own handlers print only with DEBUG on; ours print in every mode.
            "django": {"handlers": [], "level": level, "propagate": True},
            # runserver's request lines repeat ours (claimtracker.request), without the id.
            "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
            # Sign-in failures and lockouts are warnings; its start-up banner is not news.
            "axes": {"level": "WARNING"},
            "celery": {"level": celery_level},
        },
    }


def configure(config: dict[str, Any]) -> None:
    """LOGGING_CONFIG: apply LOGGING, and send Python warnings through it too, so that with
    LOG_FORMAT=json every line on stderr is JSON (Django leaves warnings on stderr as text)."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)
