"""References in API bodies take what reads return: an actor or incident by its id or its slug,
a claim or document by its id or its uid. One field per kind of key, used by every write.

An id is a JSON integer: a float (``1.9``), a boolean or a numeral in a string is refused, never
rounded to another row's id.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# The largest id a bigint column holds: a larger integer cannot name a row.
MAX_ID = 2**63 - 1


def is_id(value: object) -> bool:
    """Whether ``value`` is an id as JSON sends it: an integer (a boolean is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class RecordReference(serializers.RelatedField):
    """A row by its id (an integer) or by its other key (text), as reads show both."""

    key = ""  # the model's other key: "slug" or "uid"

    def __init__(self, *, described: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.described = described  # what to call the row in messages

    def to_internal_value(self, data: Any) -> Model:
        lookup = self.lookup(data)
        if lookup is None:
            raise serializers.ValidationError(
                f"Give the {self.described}'s id (an integer) or its {self.key}."
            )
        rows: QuerySet[Any] | None = self.get_queryset()
        row: Model | None = None if rows is None else rows.filter(**lookup).first()
        if row is None:
            raise serializers.ValidationError(
                f"No {self.described} has the id or {self.key} {data!r}."
            )
        return row

    def lookup(self, data: Any) -> dict[str, Any] | None:
        """The filter naming the row ``data`` refers to; None when it cannot be a key."""
        if is_id(data):
            return {"pk": data}
        if isinstance(data, str) and data:
            return self.other_key(data)
        return None

    def other_key(self, text: str) -> dict[str, Any] | None:
        return {self.key: text}

    def to_representation(self, value: Any) -> Any:
        return value.pk


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}],
        "description": "The id (an integer) or the slug (text).",
    }
)
class IdOrSlug(RecordReference):
    """An actor or an incident: ``12`` or ``"white-helmets"``."""

    key = "slug"


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "format": "uuid"}],
        "description": "The id (an integer) or the uid (a UUID).",
    }
)
class IdOrUid(RecordReference):
    """A claim or a document: ``12`` or ``"6f1c…"``."""

    key = "uid"

    def other_key(self, text: str) -> dict[str, Any] | None:
        try:
            return {"uid": uuid.UUID(text)}
        except ValueError:
            return None
