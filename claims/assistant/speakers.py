"""Speakers and spokespeople: who the text says is speaking, matched to the record's actors.

Mentions come from three rules, longest first:

- a record actor by name or alias (the EntityRuler), or a capitalised name close enough to one
  (rapidfuzz): "the Syrian Civil Defence said" → White Helmets; "Russia's Defence Ministry" →
  the Russian Defence Ministry;
- a person with a role: "Ministry spokesman Major General Igor Konashenkov denied it" → person
  Igor Konashenkov, role "spokesman (Major General)", speaking for the ministry; "Anna Petrova,
  a spokeswoman for the agency, said" → the same shape;
- an unnamed voice of an actor: "a spokesman for the White Helmets said" → the White Helmets
  through an unnamed spokesperson; "critics say" → an unidentified source, kept visibly weak.

A name the record does not hold becomes a new actor with a guessed kind ("Amnesty
International said" → organisation; "told AFP" → news agency).
"""

from __future__ import annotations

import re

from spacy.matcher import Matcher
from spacy.tokens import Doc

from claims.assistant.catalogue import DEMONYMS, Catalogue
from claims.assistant.proposals import ActorRef

TITLES = (
    r"(?:Major|Lieutenant|Brigadier)\s+General|General|Colonel|Lieutenant\s+Colonel|Major|"
    r"Captain|Admiral|Dr\.?|Prof\.?|Sheikh|Mr\.?|Ms\.?|Mrs\.?"
)
ROLES = (
    r"(?i:(?:regional|senior|deputy|chief|top|official|military|army|press)\s+)?(?i:spokes(?:man|woman|person)|press\s+secretary|official|director|head|chief|commander|"
    r"(?:foreign\s+|defence\s+|health\s+|prime\s+)?minister|president|adviser|envoy|"
    r"ambassador|representative|coordinator|governor|mayor|volunteer|researcher|doctor)"
)
NAME = r"[A-Z][\w’'-]+(?:\s+(?:al-|bin\s+|de\s+|van\s+|von\s+|abu\s+|Abu\s+)?[A-Z][\w’'-]+){1,3}"
CAPITALISED = r"[A-Z][\w’'-]*(?:\s+(?:of\s+|for\s+|al-)?[A-Z][\w’'-]*)*"
# "Ministry spokesman Major General Igor Konashenkov"
ROLE_THEN_NAME = re.compile(
    rf"(?P<org>(?:(?:[Ii]ts|[Tt]heir)\s+|(?:[Tt]he\s+)?\w+['’]s\s+|(?:[A-Z][\w’'-]+\s+(?:[a-z]+\s+)?){{0,4}}?))(?P<role>{ROLES}),?\s+"
    rf"(?P<title>(?:{TITLES})\s+)?"
    rf"(?P<name>{NAME})"
)
# "Anna Petrova, a spokeswoman for the agency," / "Igor Konashenkov, the ministry's spokesman,"
NAME_THEN_ROLE = re.compile(
    rf"(?P<title>(?:{TITLES})\s+)?(?P<name>{NAME}),\s+(?:a|an|the)\s+(?:senior\s+)?"
    rf"(?:(?P<org2>[\w’'\s-]{{2,60}}?)['’]s\s+|(?P<org3>{CAPITALISED})\s+)?(?P<role>{ROLES})"
    rf"(?:\s+(?:for|of|at|with)\s+(?P<org>(?:the\s+)?[\w’'\s-]{{2,80}}?))?(?:\s+in\s+[A-Z][\w-]+)?(?=[,.;])"
)
# "a spokesman for the White Helmets", "a White Helmets spokesman", "officials of the ministry"
UNNAMED = re.compile(
    rf"\b(?i:an?|the|one)\s+(?:senior\s+)?(?:(?P<before>{CAPITALISED}|coalition|ministry|army|military|police|government|rebel|group)\s+)?"
    rf"(?P<role>{ROLES})(?:\s+(?:for|of|at|with)\s+(?P<after>(?:the\s+)?{CAPITALISED}))?"
    rf"(?=[\s,.;])"
)
# "the Houthi-run health ministry", "Syrian state media", "Ukrainian officials"
QUALIFIED = re.compile(
    r"\b(?P<q>[A-Z][\w’'-]+)\s+(?P<noun>(?:health\s+|defence\s+|interior\s+|foreign\s+)?ministry|"
    r"state\s+(?:media|television|TV|news\s+agency)|officials|authorities|police|military|army|"
    r"emergency\s+services?|civil\s+defen[cs]e|rescuers|medics)\b"
)
QUALIFIED_KINDS = {"ministry": "state_body", "media": "media_outlet", "television": "media_outlet",
                   "officials": "unidentified", "authorities": "state_body", "police": "state_body",
                   "military": "state_body", "army": "state_body", "rescuers": "unidentified",
                   "medics": "unidentified", "agency": "news_agency", "tv": "media_outlet"}  # fmt: skip
VAGUE = re.compile(
    r"\b(?P<who>critics|activists|witnesses|residents|sources|observers|analysts|locals|"
    r"medics|rescuers|opponents)\b",
    re.IGNORECASE,
)
ORGANISATION_WORDS = {
    "ministry": "state_body",
    "office": "state_body",
    "department": "state_body",
    "council": "state_body",
    "command": "state_body",
    "police": "state_body",
    "army": "armed_group",
    "forces": "armed_group",
    "front": "armed_group",
    "brigade": "armed_group",
    "brigades": "armed_group",
    "militia": "armed_group",
    "agency": "news_agency",
    "news": "media_outlet",
    "times": "media_outlet",
    "post": "media_outlet",
    "tv": "media_outlet",
    "television": "media_outlet",
    "radio": "media_outlet",
    **dict.fromkeys(
        [
            "international",
            "watch",
            "foundation",
            "institute",
            "society",
            "federation",
            "association",
            "committee",
            "crescent",
            "cross",
            "network",
            "alliance",
            "union",
            "fund",
            "centre",
            "center",
            "observatory",
            "project",
            "charity",
            "frontières",
        ],
        "organisation",
    ),
}
AGENCIES = {"afp", "ap", "reuters", "tass", "ria", "interfax", "anadolu", "xinhua", "efe", "dpa"}
NOT_NAMES = {
    "the", "a", "an", "last", "on", "in", "but", "and", "earlier", "this", "that", "it", "he",
    "she", "they", "we", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "according", "all", "some", "more", "at",
    "over", "after", "before", "since", "however", "meanwhile", "its", "his", "her", "their",
    "speaking", "separately", "later", "also", "as", "when", "while", "with", "without",
    "around", "about", "nearly", "regional", "local", "senior", "deputy", "former", "top",
}  # fmt: skip


def guess_kind(name: str) -> str:
    """The kind of actor a new name most likely is."""
    words = name.casefold().split()
    if not words:
        return "organisation"
    if name.casefold() in AGENCIES or words[-1] in {"agency", "afp"}:
        return "news_agency"
    for word in reversed(words):
        if word in ORGANISATION_WORDS:
            return ORGANISATION_WORDS[word]
    if name.isupper():
        return "organisation"
    if 2 <= len(words) <= 4 and not any(w in DEMONYMS for w in words):
        return "person"
    return "organisation"


def find_mentions(doc: Doc, catalogue: Catalogue) -> list[ActorRef]:
    """Every actor the text names, longest mention first where two overlap, in text order."""
    found: list[ActorRef] = [_person(m, catalogue) for m in _people(doc.text)]
    found += _unnamed(doc.text, catalogue)
    for ent in doc.ents:
        entry = catalogue.by_slug.get(ent.ent_id_)
        if entry is not None:
            found.append(_known(ent.text, (ent.start_char, ent.end_char), entry.slug, catalogue))
    for match in VAGUE.finditer(doc.text):
        found.append(_vague(match, catalogue))
    for match in QUALIFIED.finditer(doc.text):
        if match.group("q").casefold() in NOT_NAMES:
            continue
        text = match.group(0)
        entry = catalogue.match(text)
        if entry is not None:
            found.append(_known(text, match.span(), entry.slug, catalogue))
            continue
        kind = QUALIFIED_KINDS.get(match.group("noun").split()[-1].casefold(), "state_body")
        found.append(ActorRef(text, match.span(), name=text, kind=kind, is_new=True))
    for start, end, sentence_start in _capitalised(doc):
        text = doc.text[start:end]
        entry = catalogue.match(text)
        if entry is not None:
            found.append(_known(text, (start, end), entry.slug, catalogue))
        elif not sentence_start:
            found.append(
                ActorRef(text, (start, end), name=text, kind=guess_kind(text), is_new=True)
            )
    return _without_overlaps(found)


def _known(text: str, span: tuple[int, int], slug: str, catalogue: Catalogue) -> ActorRef:
    entry = catalogue.by_slug[slug]
    return ActorRef(text, span, slug=slug, name=entry.canonical, kind=entry.kind)


def _organisation(text: str, catalogue: Catalogue) -> str:
    """The slug (or the name, when new) of an organisation named inside a role phrase."""
    if text.strip().casefold() in {"its", "their"}:
        return "its"  # the organisation last speaking, resolved by the pipeline
    text = re.sub(r"^(?:the|its|their)\s+", "", text.strip(), flags=re.IGNORECASE).strip()
    text = re.sub(r"['’]s$", "", text)
    if text.casefold() in NOT_NAMES:
        return ""
    if not text:
        return ""
    entry = catalogue.match(text)
    return entry.slug if entry else text


def _people(text: str) -> list[re.Match[str]]:
    return [*ROLE_THEN_NAME.finditer(text), *NAME_THEN_ROLE.finditer(text)]


def _person(match: re.Match[str], catalogue: Catalogue) -> ActorRef:
    name = match.group("name")
    role = re.sub(r"\s+", " ", match.group("role"))
    title = (match.group("title") or "").strip()
    groups = match.groupdict()
    org = (groups.get("org") or groups.get("org2") or groups.get("org3") or "").strip()
    entry = catalogue.match(name)
    span = match.span()
    ref = ActorRef(match.group(0), span, name=name, kind="person", is_new=entry is None)
    if entry is not None:
        ref.slug, ref.name, ref.kind = entry.slug, entry.canonical, entry.kind
    ref.role = f"{role} ({title})" if title else role
    ref.affiliation = _organisation(org, catalogue) if org else ""
    return ref


def _unnamed(text: str, catalogue: Catalogue) -> list[ActorRef]:
    found = []
    for match in UNNAMED.finditer(text):
        org = (match.group("after") or match.group("before") or "").strip()
        affiliation = _organisation(org, catalogue) if org else ""
        if not affiliation:
            continue
        role = re.sub(r"\s+", " ", match.group("role"))
        name = f"Unnamed {catalogue.by_slug[affiliation].canonical if affiliation in catalogue.by_slug else affiliation} {role}"
        ref = ActorRef(match.group(0), match.span(), name=name, kind="unidentified", is_new=True)
        ref.role, ref.affiliation = role, affiliation
        spokes = [
            e
            for e in catalogue.entries
            if e.kind == "unidentified" and e.slug.startswith(affiliation)
        ]
        if spokes:
            ref.slug, ref.name, ref.is_new = spokes[0].slug, spokes[0].canonical, False
        found.append(ref)
    return found


def _vague(match: re.Match[str], catalogue: Catalogue) -> ActorRef:
    who = match.group("who").casefold()
    for entry in catalogue.entries:
        if entry.kind == "unidentified" and who in entry.canonical.casefold():
            return _known(match.group(0), match.span(), entry.slug, catalogue)
    return ActorRef(
        match.group(0), match.span(), name=f"Unnamed {who}", kind="unidentified", is_new=True
    )


def _capitalised(doc: Doc) -> list[tuple[int, int, bool]]:
    """Character spans of runs of capitalised words ("Amnesty International", "AFP"), and
    whether the run is one word opening a sentence (a name only if the record knows it)."""
    matcher = Matcher(doc.vocab)
    word = {"IS_TITLE": True}
    upper = {"IS_UPPER": True, "LENGTH": {">=": 2}}
    link = {"LOWER": {"IN": ["of", "for", "al", "al-", "bin"]}}
    more = {"IS_TITLE": True, "OP": "*"}
    matcher.add("NAME", [[word, more], [upper]], greedy="LONGEST")
    matcher.add("LINKED", [[word, more, link, {"LOWER": "the", "OP": "?"}, word, more]])
    matcher.add("OWNED", [[word, {"ORTH": {"IN": ["'s", "’s"]}}, word, more]])
    spans = []
    for span in matcher(doc, as_spans=True):
        tokens = list(span)
        while tokens and tokens[0].lower_ in NOT_NAMES:
            tokens = tokens[1:]
        if not tokens or (len(tokens) == 1 and tokens[0].lower_ in NOT_NAMES):
            continue
        if tokens[-1].lower_ in {"'s", "’s"}:
            tokens = tokens[:-1]
        sentence_start = bool(
            len(tokens) == 1 and tokens[0].is_sent_start and not tokens[0].is_upper
        )
        spans.append((tokens[0].idx, tokens[-1].idx + len(tokens[-1].text), sentence_start))
    return spans


def _without_overlaps(found: list[ActorRef]) -> list[ActorRef]:
    """Keep the longest of overlapping mentions (a known actor wins over a new name of the
    same length); a country adjective alone is no actor."""
    kept: list[ActorRef] = []
    ranked = sorted(found, key=lambda r: (-(r.span[1] - r.span[0]), r.is_new, r.span[0]))
    for ref in ranked:
        if ref.is_new and " " not in ref.text and ref.text.casefold() in DEMONYMS:
            continue
        if any(k.span[0] < ref.span[1] and ref.span[0] < k.span[1] for k in kept):
            continue
        kept.append(ref)
    return sorted(kept, key=lambda r: r.span[0])
