"""Language and country codes as people type them: "English", "EN" or "en" is stored as "en",
"sy" as "SY". Read by the model fields, so every door (admin, API, importer) reads them alike."""

from __future__ import annotations

from typing import Any

from django.conf.locale import LANG_INFO
from django.db import models

# Languages statements in this record are often in that Django's own table does not name.
EXTRA_LANGUAGES = {
    "amharic": "am",
    "chinese": "zh",
    "dari": "prs",
    "hausa": "ha",
    "kurdish": "ku",
    "pashto": "ps",
    "sinhala": "si",
    "somali": "so",
    "tigrinya": "ti",
    "yoruba": "yo",
}


def _language_names() -> dict[str, str]:
    names = dict(EXTRA_LANGUAGES)
    for code, info in LANG_INFO.items():
        if "name" not in info:  # an alias entry ("zh": fallback to another code)
            continue
        for name in (info["name"], info["name_local"]):
            names.setdefault(name.casefold(), code)
    return names


LANGUAGE_NAMES = _language_names()


def language_code(text: str) -> str:
    """ "English" -> "en", "EN" -> "en", "pt-br" -> "pt-BR"; anything else is returned for the
    code validator to refuse."""
    text = " ".join(text.split())
    if text.casefold() in LANGUAGE_NAMES:
        return _cased(LANGUAGE_NAMES[text.casefold()])
    return _cased(text)


def _cased(code: str) -> str:
    # BCP 47's usual casing: language lower, script title (sr-Latn), region upper (pt-BR).
    language, *rest = code.split("-")
    parts = [language.lower()]
    for part in rest:
        parts.append(part.title() if len(part) == 4 else part.upper() if len(part) == 2 else part)
    return "-".join(parts)


class LanguageField(models.CharField):
    """A language code, read from a code in any case or a language's name."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return language_code(value) if value else value


class CountryField(models.CharField):
    """A two-letter ISO 3166 country code, read in any case."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.strip().upper() if value else value
