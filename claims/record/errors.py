"""What the write path answers instead of writing: invalid rows, refused moves, stale versions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from claims.ledger.history import history_of
from claims.models import Claim

# Bookkeeping columns every save touches; a conflict report lists what people changed.
BOOKKEEPING = {"version", "updated_at"}


class RecordInvalid(Exception):
    """The write breaks rules of the record; ``errors`` maps each field path to its messages.

    Paths are as DRF reports them: ``{"summary": [...]}``, ``{"figures": {"1": {"low": [...]}}}``
    (the index of the item in the list the caller gave), ``{"non_field_errors": [...]}``.
    """

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def of(cls, error: ValidationError) -> RecordInvalid:
        return cls(messages_of(error))

    @property
    def messages(self) -> list[str]:
        """Every message with the path it belongs to, for a one-line report (imports, commands)."""
        return [f"{path}: {text}" if path else text for path, text in flatten(self.errors)]


class Refused(Exception):
    """The workflow does not let this writer make this change; ``message`` says why, in the
    words every door shows, and ``field`` names the field it concerns (or "")."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class StaleVersion(Exception):
    """A save based on a version of a claim that someone else has since changed."""

    def __init__(self, claim: Claim, read_version: int, changes: list[tuple[str, object, object]]):
        self.claim = claim
        self.read_version = read_version
        self.current_version = claim.version
        self.changes = changes
        super().__init__(self.message)

    @property
    def message(self) -> str:
        fields = ", ".join(column for column, _, _ in self.changes) or "its fields"
        return (
            f"This claim was changed by someone else after you opened it (you read version "
            f"{self.read_version}, it is now version {self.current_version}; changed: {fields}). "
            "Nothing of yours was saved: review their changes, then make yours again."
        )

    @classmethod
    def of(cls, claim: Claim, read_version: int) -> StaleVersion:
        return cls(claim, read_version, changes_since(claim, read_version))


def changes_since(claim: Claim, read_version: int) -> list[tuple[str, object, object]]:
    """(column, value at ``read_version``, value now) for every column changed since then."""
    then: dict | None = None
    for record in history_of(claim):
        if record.before.get("version") == read_version:
            then = record.before
            break
    if then is None:
        return []
    latest = history_of(claim).last()
    assert latest is not None  # the loop above read at least one record
    now = latest.after
    return [
        (c, then.get(c), v) for c, v in now.items() if c not in BOOKKEEPING and then.get(c) != v
    ]


def messages_of(error: ValidationError) -> dict[str, Any]:
    """A ValidationError as field path -> messages ("__all__" becomes "non_field_errors")."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": list(error.messages)}
    return {
        ("non_field_errors" if key == "__all__" else key): messages
        for key, messages in error.message_dict.items()
    }


def errors_of(row: models.Model, exclude: list[str] | tuple[str, ...] = ()) -> dict[str, Any]:
    """Every rule ``row`` breaks (field validators, clean(), named constraints), by field."""
    try:
        row.full_clean(exclude=list(exclude))
    except ValidationError as error:
        return messages_of(error)
    return {}


def flatten(errors: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """(path, message) pairs such as ("figures[2].low", "…"); items count from 1, as people do."""
    out: list[tuple[str, str]] = []
    for key, value in errors.items():
        if key.isdigit():
            path = f"{prefix}[{int(key) + 1}]"
        elif key == "non_field_errors":
            path = prefix
        else:
            path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out += flatten(value, path)
        else:
            out += [(path, str(text)) for text in value]
    return out
