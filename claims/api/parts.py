"""The parts of a record as the API sends them (a claim's figures, targets and chain, an actor's
aliases and roles) turned into the rows the write path replaces them with.

A list is given whole: what is sent is what the record holds afterwards. An item with an ``id``
is that stored row with the values sent (the write path refuses an id of another record's row);
an item without one is a stored row with the same values if there is one, so sending back what
a read returned writes nothing, and a new row otherwise. The rows given are copies: the record's
own, often prefetched, stay as stored for the write path to compare with.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models

_R = TypeVar("_R", bound=models.Model)


def rows_for(model: type[_R], stored: Iterable[_R], items: Sequence[Mapping[str, Any]]) -> list[_R]:
    """The rows of ``model`` that ``items`` describe, reusing ``stored`` ones (see above)."""
    by_id = {row.pk: row for row in stored}
    unused = dict(by_id)
    rows: list[_R] = []
    for item in items:
        values = {name: value for name, value in item.items() if name != "id"}
        if item.get("id") is not None:
            found = by_id.get(item["id"])
            row = copy.copy(found) if found is not None else model(pk=item["id"])
            unused.pop(item["id"], None)
        else:
            same = next((r for r in unused.values() if _holds(r, values)), None)
            row = copy.copy(same) if same is not None else model()
            if same is not None:
                unused.pop(same.pk)
        for name, value in values.items():
            setattr(row, name, value)
        rows.append(row)
    return rows


def _holds(row: models.Model, values: Mapping[str, Any]) -> bool:
    return all(getattr(row, name) == value for name, value in values.items())
