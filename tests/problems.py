"""Reading the API's validation problems in tests: the flat ``errors`` list back as field paths."""

from __future__ import annotations

import re
from typing import Any

MEDIA_TYPE = "application/problem+json"
_STEP = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def fields(answer: Any) -> dict[str, Any]:
    """The errors of a validation problem nested as DRF nested them before problems were flat:
    ``figures[0].low`` under ``["figures"]["0"]["low"]``, whole-object errors under
    ``non_field_errors``; each leaf a list of messages. Fails unless ``answer`` is a problem."""
    assert answer["Content-Type"] == MEDIA_TYPE, answer["Content-Type"]
    nested: dict[str, Any] = {}
    for error in answer.json().get("errors", []):
        steps = [i or name for i, name in _STEP.findall(error["field"] or "")]
        place = nested
        for step in steps[:-1]:
            place = place.setdefault(step, {})
        place.setdefault(steps[-1] if steps else "non_field_errors", []).append(error["message"])
    return nested


def errors_by_field(answer: Any) -> dict[str | None, list[str]]:
    """Messages by their flat field path (None for the whole object)."""
    assert answer["Content-Type"] == MEDIA_TYPE, answer["Content-Type"]
    out: dict[str | None, list[str]] = {}
    for error in answer.json()["errors"]:
        out.setdefault(error["field"], []).append(error["message"])
    return out
