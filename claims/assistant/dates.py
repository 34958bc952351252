"""Dates as people state them, resolved against the publication date, with their precision.

- "last week", "the previous week", "the week before" → the week before publication (week);
- "this week", "earlier this week" → the week of publication (week);
- "last month", "earlier this month", "this month" → a month; "last year" → a year;
- "on Saturday", "on Tuesday night" → the latest such day on or before publication (day);
- "yesterday", "today", "two days ago", "three weeks ago";
- "in September", "в сентябре", "en septembre" → that month, in the publication's year unless
  it would lie after publication (month);
- "on 12 September", "September 12, 2017", "12.09.2017" → that day (dateparser);
- "in 2016" → that year.
"""

from __future__ import annotations

import datetime as dt
import re

import dateparser

from claims.assistant.proposals import LooseDate
from claimtracker.dates import Precision, normalise

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    # Russian (prepositional, as in "в сентябре"), French, German and Spanish month names.
    "январе": 1, "феврале": 2, "марте": 3, "апреле": 4, "мае": 5, "июне": 6, "июле": 7,
    "августе": 8, "сентябре": 9, "октябре": 10, "ноябре": 11, "декабре": 12,
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "januar": 1, "februar": 2, "märz": 3, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "a": 1, "several": 3}
MONTH = "|".join(MONTHS)
ENGLISH_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:last|the\s+previous|the\s+past|previous|past)\s+week\b|\bthe\s+week\s+before\b", re.I), "last_week"),
    (re.compile(r"\b(?:earlier\s+)?this\s+week\b", re.I), "this_week"),
    (re.compile(r"\b(?:last|the\s+previous|previous)\s+month\b", re.I), "last_month"),
    (re.compile(r"\b(?:earlier\s+|later\s+)?this\s+month\b", re.I), "this_month"),
    (re.compile(r"\b(?:last|the\s+previous)\s+year\b", re.I), "last_year"),
    (re.compile(r"\byesterday\b", re.I), "yesterday"),
    (re.compile(r"\btoday\b", re.I), "today"),
    (re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|a|several)\s+(?P<unit>day|week|month)s?\s+ago\b", re.I), "ago"),
    (re.compile(rf"\b(?:on|last|this|since|from|by)\s+(?P<wd>{'|'.join(WEEKDAYS)})\b(?:\s+(?:night|morning|evening|afternoon))?", re.I), "weekday"),
    (re.compile(rf"\b(?:on\s+)?(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+{ENGLISH_MONTH}|{ENGLISH_MONTH}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)(?:,?\s+(?P<y>(?:19|20)\d\d))?\b", re.I), "explicit"),
    (re.compile(r"\b\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d\b"), "explicit"),
    (re.compile(rf"(?:\b(?:in|during|since|by|early|late|mid-?)|\bв|\ben|\bim|\ben\s+el\s+mes\s+de)\s+(?:early\s+|late\s+)?(?P<m>{MONTH})(?:\s+(?P<y>(?:19|20)\d\d))?(?![\w])", re.I), "month"),
    (re.compile(r"\b(?:in|since|during)\s+(?P<y>(?:19|20)\d\d)\b", re.I), "year"),
]  # fmt: skip


def find_dates(text: str, published_on: dt.date, offset: int = 0) -> list[LooseDate]:
    """Every loose date in ``text`` (one sentence), resolved against ``published_on``."""
    found: list[LooseDate] = []
    for pattern, rule in RULES:
        for match in pattern.finditer(text):
            if any(
                d.span[0] - offset < match.end() and match.start() < d.span[1] - offset
                for d in found
            ):
                continue
            resolved = _resolve(rule, match, published_on)
            if resolved is not None:
                day, precision = resolved
                span = (match.start() + offset, match.end() + offset)
                found.append(
                    LooseDate(span, match.group(0).strip(), normalise(day, precision), precision)
                )
    return sorted(found, key=lambda d: d.span[0])


def _resolve(rule: str, match: re.Match[str], published: dt.date) -> tuple[dt.date, str] | None:
    P = Precision
    simple = {
        "last_week": (published - dt.timedelta(days=7), P.WEEK),
        "this_week": (published, P.WEEK),
        "last_month": ((published.replace(day=1) - dt.timedelta(days=1)), P.MONTH),
        "this_month": (published, P.MONTH),
        "last_year": (published.replace(year=published.year - 1, month=1, day=1), P.YEAR),
        "yesterday": (published - dt.timedelta(days=1), P.DAY),
        "today": (published, P.DAY),
    }
    if rule in simple:
        return simple[rule]
    if rule == "weekday":
        back = (published.weekday() - WEEKDAYS.index(match.group("wd").casefold())) % 7
        return published - dt.timedelta(days=back), P.DAY
    if rule == "ago":
        n = match.group("n").casefold()
        count = COUNTS.get(n) or int(n)
        unit = match.group("unit").casefold()
        days = {"day": 1, "week": 7, "month": 30}[unit] * count
        precision = {"day": P.DAY, "week": P.WEEK, "month": P.MONTH}[unit]
        return published - dt.timedelta(days=days), precision
    if rule == "month":
        month = MONTHS[match.group("m").casefold()]
        year = int(match.group("y")) if match.group("y") else published.year
        if not match.group("y") and month > published.month:
            year -= 1
        return dt.date(year, month, 1), P.MONTH
    if rule == "year":
        return dt.date(int(match.group("y")), 1, 1), P.YEAR
    return _explicit(match.group(0), published)


def _explicit(words: str, published: dt.date) -> tuple[dt.date, str] | None:
    settings = {
        # A calendar day, not an instant: dateparser compares it with naive parses.
        "RELATIVE_BASE": dt.datetime(published.year, published.month, published.day),  # noqa: DTZ001
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
    }
    parsed = dateparser.parse(
        re.sub(r"^on\s+", "", words, flags=re.I), languages=["en"], settings=settings
    )
    return (parsed.date(), Precision.DAY) if parsed else None
