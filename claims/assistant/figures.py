"""Casualty figures: the number, its qualifier and the words exactly as stated.

- a bare number: "recovered 152 bodies of civilians" → exactly 152, basis "bodies recovered";
- a qualifier before it: "over 150 civilians" → more than 150; "at least 22 people" → at
  least 22; "up to 40" / "as many as 40" → up to 40; "about", "around", "some", "nearly" → about;
- a range: "between 30 and 40 people", "30 to 40 dead" → between 30 and 40;
- numbers in words: "twelve children", "more than a dozen soldiers" → more than 12;
- a toll: "the death toll has risen to 40", "the real figure was at least 5,800";
- a part of a whole: "at least 22, including 12 staff" → two figures, 22 and 12;
- no number at all: "dozens of civilians", "hundreds" → the words kept, no number;
- category from the noun (civilians, children, soldiers, fighters…) and outcome from the words
  around it (killed, dead, bodies → killed; injured, wounded → injured; missing).
"""

from __future__ import annotations

import re

from claims.assistant.proposals import Figure

UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90, "a dozen": 12, "dozen": 12, "a hundred": 100,
}  # fmt: skip
WORD = r"(?:a\s+dozen|a\s+hundred|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|one|two|three|four|five|six|seven|eight|nine|ten)(?:\s+(?:hundred|thousand))?"
DIGITS = r"\d{1,3}(?:,\d{3})+|\d+"
NUMBER = rf"(?:{DIGITS}|{WORD})"
QUALIFIERS = {
    "exactly": "exactly",
    "at least": "at_least",
    "no fewer than": "at_least",
    "a minimum of": "at_least",
    "more than": "more_than",
    "over": "more_than",
    "upwards of": "more_than",
    "in excess of": "more_than",
    "up to": "up_to",
    "as many as": "up_to",
    "at most": "up_to",
    "about": "about",
    "around": "about",
    "some": "about",
    "roughly": "about",
    "approximately": "about",
    "nearly": "about",
    "almost": "about",
    "close to": "about",
    "an estimated": "about",
}
QUALIFIER = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
NOUNS = {
    "civilians": "civilians", "civilian": "civilians", "people": "unknown", "persons": "unknown",
    "bodies": "unknown", "dead": "unknown", "children": "children", "child": "children",
    "minors": "children", "kids": "children", "soldiers": "military", "troops": "military",
    "servicemen": "military", "personnel": "military", "officers": "military",
    "policemen": "military", "fighters": "combatants", "militants": "combatants",
    "rebels": "combatants", "combatants": "combatants", "insurgents": "combatants",
    "gunmen": "combatants", "staff": "civilians", "workers": "civilians", "patients": "civilians",
    "women": "civilians", "residents": "civilians", "villagers": "civilians",
    "members": "unknown", "victims": "unknown", "casualties": "unknown", "others": "unknown",
    "refugees": "civilians", "journalists": "civilians", "doctors": "civilians",
    "medics": "civilians", "volunteers": "civilians", "worker": "civilians",
    "soldier": "military", "fighter": "combatants", "person": "unknown", "officer": "military",
    "journalist": "civilians", "doctor": "civilians", "woman": "civilians", "policeman": "military",
}  # fmt: skip
NOUN = "|".join(sorted(NOUNS, key=len, reverse=True))
WORDS_ONLY = r"(?:dozens|scores|hundreds|thousands|tens\s+of\s+thousands|several|many|a\s+number)"
FIGURE = re.compile(
    rf"(?<![\w.,])(?:(?P<qual>{QUALIFIER})\s+)?"
    rf"(?:between\s+(?P<lo>{NUMBER})\s+and\s+(?P<hi>{NUMBER})|(?P<lo2>{NUMBER})(?:\s+to\s+|\s*–\s*|(?<=\d)-(?=\d))(?P<hi2>{NUMBER})|(?P<n>{NUMBER})|(?P<words>{WORDS_ONLY}))"
    rf"(?P<tail>(?:\s+(?:more|other|further|more\s+than)?\s*(?:[a-z-]+\s+){{0,2}}?(?:of\s+(?:the\s+)?)?(?P<noun>{NOUN})\b)|(?=\s*,\s+including\b)|(?=\s+(?:(?:were|had\s+been|have\s+been|are|were\s+reported)\s+)?(?:killed|injured|wounded|died|dead|missing|hurt)\b))",
    re.IGNORECASE,
)
# "the toll has risen to 40", "the real figure was at least 5,800"
TOLL = re.compile(
    rf"\b(?:toll|figure|number\s+of\s+(?:dead|victims|casualties))(?:\s+(?:was|is|of|at)|[^.;]{{0,90}}?\s+(?:stood\s+at|stands\s+at|(?:has\s+|had\s+)?(?:risen|rose|climbed|increased)\s+to|reached))\s+(?:(?P<qual>{QUALIFIER})\s+)?(?P<n>{NUMBER})(?![\w-])",
    re.IGNORECASE,
)
AFTER_CASUALTY_VERB = re.compile(
    rf"\b(?:killed|killing|kill|injured|injuring|wounded|wounding|left)\s+(?:(?P<qual>{QUALIFIER})\s+)?(?P<n>{NUMBER})(?![\w-])(?!\s+(?:km|kilomet|mile|year|days|hours|percent|%))",
    re.IGNORECASE,
)
OUTCOMES = [
    (re.compile(r"\b(injur\w*|wound\w*|hurt)\b", re.I), "injured"),
    (re.compile(r"\b(missing|disappeared|abducted)\b", re.I), "missing"),
]
KILLED = re.compile(r"\b(kill\w*|dead|died|death\w*|bodies|lives|slain|massacre\w*)\b", re.I)


def to_number(text: str) -> int:
    """152, "1,200", "twelve", "a dozen", "twenty-five", "three hundred" → an int."""
    text = text.casefold().replace(",", "").strip()
    if text.isdigit():
        return int(text)
    text = re.sub(r"\s+", " ", text)
    scale = 1
    for word, factor in (("thousand", 1000), ("hundred", 100)):
        if text.endswith(" " + word) and text != "a hundred":
            text, scale = text[: -len(word) - 1], factor
    total = (
        sum(UNITS.get(part, 0) for part in text.split("-")) if text not in UNITS else UNITS[text]
    )
    return total * scale


def find_figures(text: str, offset: int = 0) -> list[Figure]:
    """Casualty figures in one sentence (``offset``: where it starts in the whole text)."""
    found: list[Figure] = []
    for match in FIGURE.finditer(text):
        figure = _figure(text, match, offset)
        if figure is not None:
            found.append(figure)
    for match in [*AFTER_CASUALTY_VERB.finditer(text), *TOLL.finditer(text)]:
        start = match.start("qual") if match.group("qual") else match.start("n")
        if any(f.span[0] - offset <= start < f.span[1] - offset for f in found):
            continue
        low = to_number(match.group("n"))
        qualifier = QUALIFIERS.get((match.group("qual") or "").casefold(), "exactly")
        as_stated = text[start : match.end("n")]
        found.append(
            _shaped(
                text,
                (start + offset, match.end("n") + offset),
                as_stated,
                qualifier,
                low,
                None,
                "unknown",
                offset,
            )
        )
    found.sort(key=lambda f: f.span[0])
    return found


def _figure(text: str, match: re.Match[str], offset: int) -> Figure | None:
    noun = (match.group("noun") or "").casefold()
    context = text[max(0, match.start() - 60) : match.end() + 80]
    if not noun and not KILLED.search(context) and not OUTCOMES[0][0].search(context):
        return None
    if re.match(r"(19|20)\d\d$", match.group("n") or "") and not noun:
        return None
    qualifier = QUALIFIERS.get((match.group("qual") or "").casefold(), "exactly")
    low: int | None
    high: int | None
    if match.group("lo") or match.group("lo2"):
        low = to_number(match.group("lo") or match.group("lo2"))
        high = to_number(match.group("hi") or match.group("hi2"))
        qualifier = "between"
    elif match.group("words"):
        low = high = None
        qualifier = QUALIFIERS.get((match.group("qual") or "").casefold(), "at_least")
    else:
        low = high = to_number(match.group("n"))
    end = match.end("noun") if noun else match.end("n") if match.group("n") else match.end()
    as_stated = text[match.start() : end].strip()
    category = NOUNS.get(noun, "unknown")
    if noun in {"bodies", "dead", "people", "victims", "members", "others"}:
        near = re.search(rf"{re.escape(noun)}\s+of\s+(?:the\s+)?(\w+)", text[match.start() :], re.I)
        if near and near.group(1).casefold() in NOUNS:
            category = NOUNS[near.group(1).casefold()]
    return _shaped(
        text,
        (match.start() + offset, end + offset),
        as_stated,
        qualifier,
        low,
        high,
        category,
        offset,
    )


def _shaped(
    text: str, span: tuple[int, int], as_stated: str, qualifier: str,
    low: int | None, high: int | None, category: str, offset: int,
) -> Figure:  # fmt: skip
    """A figure with low/high as its qualifier wants them, its outcome and its basis."""
    if qualifier in {"at_least", "more_than"}:
        high = None
    elif qualifier == "up_to":
        low, high = None, high if high is not None else low
    elif qualifier in {"exactly", "about"} and low is not None:
        high = low
    start, end = span[0] - offset, span[1] - offset
    around = text[max(0, start - 50) : min(len(text), end + 60)]
    outcome = "killed"
    for pattern, name in OUTCOMES:
        if pattern.search(text[end : end + 40]) or (
            pattern.search(around) and not KILLED.search(text[end : end + 40])
        ):
            outcome = name
            break
    basis = ""
    if re.search(r"\bbodies\b", as_stated, re.I) and re.search(
        r"recover|retriev|found|pulled", around, re.I
    ):
        basis = "bodies recovered"
    return Figure(span, as_stated, qualifier, low, high, category, outcome, basis)
