"""Dates in API writes are read by the record's one rule (claimtracker.dates.read_date), so a
tool's "03/10/2015" is refused with the same message the admin and the importer give."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from claimtracker.dates import DayField, read_date


class RecordDateField(serializers.DateField):
    """ISO or written dates in; ISO dates out (DRF's own output)."""

    def to_internal_value(self, value: Any) -> dt.date:
        try:
            return read_date(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


# Every ModelSerializer builds this field for the record's date columns (DRF looks model field
# classes up in this table, nearest class first).
serializers.ModelSerializer.serializer_field_mapping[DayField] = RecordDateField
