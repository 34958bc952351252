"""Values in API writes are read by the record's own rules, as every door reads them: dates by
claimtracker.dates.read_date (a tool's "03/10/2015" is refused with the admin's and the
importer's message), language and country codes by sources.codes ("English" is "en")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from rest_framework import serializers

from claimtracker.dates import DayField, read_date
from sources.codes import CountryField, LanguageField, language_code


class RecordDateField(serializers.DateField):
    """ISO or written dates in; ISO dates out (DRF's own output)."""

    def to_internal_value(self, value: Any) -> dt.date:
        try:
            return read_date(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


class LanguageCodeField(serializers.CharField):
    """A language's code or name, read before the code's validator sees it."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        return language_code(text) if text else text


class CountryCodeField(serializers.CharField):
    """A country code in any case."""

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data).upper()


# Every ModelSerializer builds these fields for the record's columns (DRF looks model field
# classes up in this table, nearest class first).
serializers.ModelSerializer.serializer_field_mapping[DayField] = RecordDateField
serializers.ModelSerializer.serializer_field_mapping[LanguageField] = LanguageCodeField
serializers.ModelSerializer.serializer_field_mapping[CountryField] = CountryCodeField
