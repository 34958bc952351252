"""Accused and targeted actors: whom a statement blames, and whom it is about.

- "civilians killed by Russian and Syrian government bombing" → accused Russia and the Syrian
  government (country adjectives read as their states, when the record has them);
- "blamed the coalition for the strike", "accused Israel of", "a Saudi-led coalition strike",
  "strikes carried out by the Nusra Front" → accused;
- "Islamist groups in Idlib attacked Syrian troops" → the record's collective actor for armed
  groups in Idlib, whatever adjective the speaker gives them (kept out of the record's words);
- "called the White Helmets crooks", "criticised Reuters for lending them credibility",
  "described the group as" → the actors the statement is about (subjects).
"""

from __future__ import annotations

import re

from claims.assistant.catalogue import Catalogue
from claims.assistant.proposals import ActorRef

ARMS = (
    r"bombing|bombardment|strikes?|air\s*strikes?|air\s+raids?|raids?|aircraft|planes|jets|"
    r"warplanes|forces|troops|shelling|artillery|fire|drones?|missiles?|attacks?|helicopters"
)
ACCUSING = [
    re.compile(rf"\b(?:by|from)\s+(?P<who>(?:the\s+)?[\w’'\s-]{{2,80}}?)\s+(?:{ARMS})\b", re.I),
    re.compile(r"\b(?:blam\w*|accus\w*|held)\s+(?P<who>(?:the\s+)?[\w’'\s-]{2,60}?)\s+(?:for|of|responsible)\b", re.I),
    re.compile(r"\b(?P<who>[A-Z][\w’'-]+)-led\b"),
    re.compile(r"\b(?:carried\s+out|launched|conducted)\s+by\s+(?P<who>(?:the\s+)?[\w’'\s-]{2,60}?)(?=[,.;]|\s+(?:in|on|at)\b)", re.I),
    re.compile(r"\b(?:hit|targeted|struck|attacked)\s+(?:positions\s+of\s+|bases\s+of\s+)?(?P<who>the\s+[A-Z][\w’'\s-]{2,60}?)(?=[,.;]|\s+(?:in|on|at|which|who)\b)"),
]  # fmt: skip
COLLECTIVE = re.compile(
    r"\b(?:[\w-]+\s+)?(?P<noun>groups|militants|fighters|rebels|factions)\s+in\s+(?P<place>[A-Z][\w-]+)"
    r"(?:\s+province)?\s+(?:had\s+)?(?:attacked|shelled|fired|struck|killed|stormed|ambushed)\b"
)
ABOUT = re.compile(
    r"\b(?:call\w*|branded|labell?ed|describ\w*|criticis\w*|criticiz\w*|accus\w*|"
    r"attack\w*)\s+(?P<who>(?:the\s+)?[\w’'\s-]{2,60}?)(?=\s+(?:as|for|of|a|an|the|“|\"|crooks|liars)\b|[“\",.;])",
    re.I,
)


def accused_in(
    sentence: str, offset: int, mentions: list[ActorRef], catalogue: Catalogue
) -> list[ActorRef]:
    """The actors a sentence blames."""
    found: list[ActorRef] = []
    for pattern in ACCUSING:
        for match in pattern.finditer(sentence):
            found += _actors(match, offset, mentions, catalogue)
    for match in COLLECTIVE.finditer(sentence):
        entry = catalogue.collective(f"{match.group('noun')} in {match.group('place')}")
        if entry is not None:
            span = (match.start() + offset, match.end("place") + offset)
            found.append(
                ActorRef(
                    match.group(0), span, slug=entry.slug, name=entry.canonical, kind=entry.kind
                )
            )
    return _unique(found)


def subjects_in(
    sentence: str, offset: int, mentions: list[ActorRef], catalogue: Catalogue
) -> list[ActorRef]:
    """The actors a characterisation is about."""
    found: list[ActorRef] = []
    for match in ABOUT.finditer(sentence):
        found += _actors(match, offset, mentions, catalogue)
    return _unique(found)


def _actors(
    match: re.Match[str], offset: int, mentions: list[ActorRef], catalogue: Catalogue
) -> list[ActorRef]:
    """Record actors named inside the matched words: mentions, or country adjectives."""
    start, end = match.start("who") + offset, match.end("who") + offset
    inside = [m for m in mentions if start <= m.span[0] and m.span[1] <= end and m.kind != "person"]
    found = [m for m in inside if not m.is_new]
    words = match.group("who")
    for word in re.finditer(r"[A-Z][a-z]+", words):
        begin = start + word.start()
        if any(m.span[0] <= begin < m.span[1] for m in found):
            continue
        entry = catalogue.country(word.group(0))
        if entry is not None:
            span = (begin, begin + len(word.group(0)))
            found.append(
                ActorRef(
                    word.group(0), span, slug=entry.slug, name=entry.canonical, kind=entry.kind
                )
            )
    return sorted(found, key=lambda r: r.span[0])


def _unique(refs: list[ActorRef]) -> list[ActorRef]:
    seen: dict[str, ActorRef] = {}
    for ref in refs:
        seen.setdefault(ref.key, ref)
    return list(seen.values())
