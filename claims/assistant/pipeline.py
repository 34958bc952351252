"""From a text to proposed statements: sentences, cues, speakers, and the parts of each claim.

A sentence with a cue verb ("said", "told reporters", "according to", "denied") and a speaker
becomes a proposed claim; its quotes, figures, dates, relays, targets and answers come from the
rules of the modules beside this one. Nothing is written: ``drafts`` does that on acceptance.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from spacy.tokens import Span as Sentence

from claims.assistant import hops, merging, responses, targets
from claims.assistant.catalogue import Catalogue
from claims.assistant.dates import find_dates
from claims.assistant.figures import find_figures
from claims.assistant.proposals import ActorRef, Answer, Proposals, ProposedClaim, Quote
from claims.assistant.quotes import find_quotes
from claims.assistant.speakers import find_mentions

MAX_CHARACTERS = 100_000
CUE = re.compile(
    r"\b(?:said|says|say|saying|told|tells|stated|stressed|added|claimed|claims|insisted|"
    r"insists|noted|explained|announced|reported|reports|wrote|tweeted|posted|warned|alleged|"
    r"alleges|accused|accuses|denied|denies|deny|rejected|rejects|dismissed|disputed|disputes|"
    r"confirmed|confirms|corrected|revised|retracted|acknowledged|admitted|called|calls|"
    r"criticised|criticized|blamed|blames|maintained|argued|estimated|estimates|counted)\b"
    r"|\baccording\s+to\b|\bin\s+a\s+statement\b",
    re.IGNORECASE,
)
BACKREF = re.compile(
    r"\b(?:he|she|they|it|(?:the|this|that)\s+(?P<head>ministry|group|organi[sz]ation|agency|"
    r"army|government|spokes(?:man|woman|person)|official|military|coalition|charity|"
    r"observatory|monitor|office|police|movement|network|outlet|broadcaster|newspaper|"
    r"department|rescuers|rebels|militants|president|minister|general|doctor|medic|service|"
    r"administration|authorities|command|monitor|watchdog|commission|committee|council))\b",
    re.IGNORECASE,
)
BACKREF_HEADS = set(re.findall(r"[a-z]+", BACKREF.pattern.split("head>")[1]))
CHARACTERISES = re.compile(
    r"\b(?:is|are|was|were|has\s+been|have\s+been)\s+(?:a|an)\s+(?:\w+\s+){0,2}?"
    r"(?:controversial|contested|disputed|notorious|discredited|so-called|divisive)\b",
    re.IGNORECASE,
)
KINDS = [
    (re.compile(r"\b(?:call\w*|describ\w*|brand\w*|criticis\w*|criticiz\w*|crooks|liars|controversial|accus\w*\s+(?:\S+\s+){1,3}of\s+(?:lying|staging|fabricat\w*))\b", re.I), "characterisation"),
    (re.compile(r"\b(?:responsib\w*|carried\s+out\s+by)\b", re.I), "responsibility"),
    (re.compile(r"\b(?:target\w*|(?:strikes?|planes|aircraft|jets|aviation)\s+(?:\w+\s+){0,3}?(?:hit|struck|destroyed|do\s+not|did\s+not|never)|do(?:es)?\s+not\s+(?:strike|bomb|target|hit)|(?:bomb|shell|strik)\w*\s+(?:\w+\s+){0,2}(?:hospitals?|villages?|schools?|markets?|residential|positions|bases))\b", re.I), "targeting"),
    (re.compile(r"\b(?:attack\w*|rescu\w*|seiz\w*|captur\w*|launch\w*|respond\w*|answer\w*|fought|clash\w*)\b", re.I), "event"),
]  # fmt: skip


@dataclass
class _Reading:
    """What the pipeline knows while it walks the sentences."""

    text: str
    published_on: dt.date
    publisher: ActorRef
    catalogue: Catalogue
    mentions: list[ActorRef]
    quotes: list[Quote]
    claims: list[ProposedClaim] = field(default_factory=list)
    speakers: list[ActorRef] = field(default_factory=list)
    relays: dict[str, list[hops.Hop]] = field(default_factory=dict)
    thread: dict[str, int] = field(default_factory=dict)  # denier → the claim it denied
    bare: set[int] = field(default_factory=set)  # claims that only answer ("X denied it.")


def propose(text: str, *, published_on: dt.date, publisher: str, catalogue: Catalogue) -> Proposals:
    """Proposed statements for ``text``, published on ``published_on`` by the actor ``publisher``
    (a slug of the record, or the name of a new actor)."""
    doc = catalogue.nlp(text)
    entry = catalogue.by_slug.get(publisher) or catalogue.match(publisher)
    outlet = (
        ActorRef(publisher, (0, 0), slug=entry.slug, name=entry.canonical, kind=entry.kind)
        if entry
        else ActorRef(publisher, (0, 0), name=publisher, kind="media_outlet", is_new=True)
    )
    mentions = find_mentions(doc, catalogue)
    reading = _Reading(text, published_on, outlet, catalogue, mentions, find_quotes(text))
    for sentence in doc.sents:
        _read_sentence(reading, sentence)
    claims, bare = merging.merged(reading.claims, reading.bare, reading.publisher)
    reading.claims, reading.bare = claims, bare
    _attach_orphan_quotes(reading, doc)
    return Proposals(text, published_on, outlet.slug or outlet.name, reading.claims, mentions)


def _read_sentence(reading: _Reading, sentence: Sentence) -> None:
    text, offset = sentence.text, sentence.start_char
    in_sentence = [m for m in reading.mentions if offset <= m.span[0] < sentence.end_char]
    cue = _cue(text, offset, reading)
    if cue is None:
        if CHARACTERISES.search(text) and in_sentence:
            _add_claim(reading, text, offset, in_sentence, reading.publisher, None, (0, 0))
        return
    start, end = cue
    speaker, spokesperson = _speaker(reading, text, offset, in_sentence, start, end)
    if speaker is None:
        return
    if spokesperson is None:
        spokesperson = next(
            (m for m in in_sentence if m.affiliation and m.affiliation == speaker.slug), None
        )
    relays = hops.relays_in(text, offset, in_sentence, speaker)
    if speaker.kind in hops.RELAY_KINDS and speaker.key != reading.publisher.key:
        cited = _cited_by_relay(reading, text, offset, in_sentence, speaker)
        if cited is not None:
            relays = [hops.Hop(speaker, "reported")]
            speaker, spokesperson = cited
    _add_claim(reading, text, offset, in_sentence, speaker, spokesperson, cue, relays)


def _cue(text: str, offset: int, reading: _Reading) -> tuple[int, int] | None:
    """The first cue of the sentence outside quotes."""
    for match in CUE.finditer(text):
        at = match.start() + offset
        if not any(q.span[0] <= at < q.span[1] for q in reading.quotes):
            return match.span()
    return None


def _speaker(
    reading: _Reading, text: str, offset: int, mentions: list[ActorRef], start: int, end: int
) -> tuple[ActorRef | None, ActorRef | None]:
    """Who speaks at the cue: after "according to" or an inverted "said X", else the nearest
    mention or back-reference before the cue."""
    after = [m for m in mentions if 0 <= m.span[0] - offset - end <= 6]
    before = [m for m in mentions if m.span[1] - offset <= start]
    backrefs = list(BACKREF.finditer(text[:start]))
    words = text[start:end].casefold()
    if words.startswith("according"):
        following = BACKREF.match(text, end + 1)
        if following:
            ref = _resolve(reading, following)
            return _voice(reading, ref) if ref else (None, None)
    adjacent = bool(before) and start - (before[-1].span[1] - offset) <= 3
    if (
        words.startswith("according") or not before or (_inverted(text, start) and not adjacent)
    ) and after:
        return _voice(reading, after[0])
    if backrefs and (not before or backrefs[-1].end() > before[-1].span[1] - offset):
        ref = _resolve(reading, backrefs[-1])
        return _voice(reading, ref) if ref else (None, None)
    # A vague word far from the cue ("a network of sources on the ground, said") is no subject.
    while (
        before
        and before[-1].kind == "unidentified"
        and before[-1].is_new
        and start - (before[-1].span[1] - offset) > 12
    ):
        before.pop()
    if before:
        return _voice(reading, before[-1])
    return None, None


def _inverted(text: str, start: int) -> bool:
    """'…," said X' or '…, X said' at the end: the speaker follows a quote or comma."""
    return bool(re.search(r"[,”\"’]\s*$", text[:start]))


def _resolve(reading: _Reading, match: re.Match[str]) -> ActorRef | None:
    """The actor a pronoun or "the ministry" stands for: the latest speaker that fits."""
    head = (match.group("head") or "").casefold()
    word = match.group(0).split()[0].casefold()
    for ref in reversed(reading.speakers):
        if head and head in ref.name.casefold():
            return ref
        if head in {"spokesman", "spokeswoman", "spokesperson", "official", "general"} and ref.role:
            return ref
        if not head and word in {"he", "she"} and ref.kind == "person":
            return ref
        if not head and word in {"it", "they"} and ref.kind != "person":
            return ref
    return reading.speakers[-1] if reading.speakers and not head else None


def _voice(reading: _Reading, ref: ActorRef) -> tuple[ActorRef, ActorRef | None]:
    """The speaker and spokesperson a mention stands for: a person speaking for an
    organisation speaks as its spokesperson."""
    ref = _known_person(reading, ref)
    if ref.slug in reading.catalogue.affiliations and not ref.affiliation:
        ref.affiliation = reading.catalogue.affiliations[ref.slug]
    if ref.kind in {"person", "unidentified"} and ref.affiliation:
        organisation = _organisation(reading, ref.affiliation)
        if organisation is not None:
            reading.speakers.append(ref)
            return organisation, ref
    reading.speakers.append(ref)
    return ref, None


def _known_person(reading: _Reading, ref: ActorRef) -> ActorRef:
    """A surname alone ("Konashenkov") is the person named in full earlier in the text."""
    if " " in ref.text.strip() or (ref.kind != "person" and not ref.is_new):
        return ref
    for earlier in reversed(reading.speakers):
        if earlier.kind == "person" and earlier.name.split()[-1] == ref.text.strip():
            return earlier
    return ref


def _organisation(reading: _Reading, affiliation: str) -> ActorRef | None:
    generic = affiliation.casefold() in BACKREF_HEADS
    if affiliation == "its" or generic:
        speakers = [r for r in reading.speakers if r.kind != "person" and not r.affiliation]
        fitting = [r for r in speakers if affiliation.casefold() in r.name.casefold()]
        chosen = (fitting or speakers)[-1:]
        return _organisation(reading, chosen[0].slug or chosen[0].name) if chosen else None
    if affiliation in reading.catalogue.by_slug:
        entry = reading.catalogue.by_slug[affiliation]
        return ActorRef(
            entry.canonical, (0, 0), slug=entry.slug, name=entry.canonical, kind=entry.kind
        )
    head = affiliation.split()[-1].casefold()
    initials = affiliation.split()[0]
    for ref in reversed([*reading.speakers, *reading.mentions]):
        if not ref.affiliation and head in ref.name.casefold():
            return ref
        if initials.isupper() and len(initials) > 1 and _initials(ref.name) == initials:
            return ref  # "UN aid chief" speaks for the United Nations named before
    return ActorRef(affiliation, (0, 0), name=affiliation, kind="organisation", is_new=True)


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isupper())


def _cited_by_relay(
    reading: _Reading, text: str, offset: int, mentions: list[ActorRef], relay: ActorRef
) -> tuple[ActorRef, ActorRef | None] | None:
    """ "Reuters cited a White Helmets spokesman": the one cited, when a relay is the subject."""
    cite = re.search(r"\b(?:cit\w*|quot\w*)\s+", text)
    if cite is None:
        return None
    cited = [m for m in mentions if m.span[0] - offset >= cite.end() - 1 and m.key != relay.key]
    return _voice(reading, cited[0]) if cited else None


def _add_claim(
    reading: _Reading,
    text: str,
    offset: int,
    mentions: list[ActorRef],
    speaker: ActorRef,
    spokesperson: ActorRef | None,
    cue: tuple[int, int],
    relays: list[hops.Hop] | None = None,
) -> None:
    span = (offset, offset + len(text))
    if relays:
        reading.relays[speaker.key] = relays
    claim = ProposedClaim(
        speaker=speaker,
        spokesperson=spokesperson,
        kind=_kind(text),
        summary=_summary(text, speaker, spokesperson, cue),
        span=span,
        quotes=[q for q in reading.quotes if span[0] <= q.span[0] < span[1]],
        figures=find_figures(text, offset),
        made_on=reading.published_on,
    )
    claim.dates = find_dates(text, reading.published_on, offset)
    _made_on(claim, cue, offset)
    claim.chain = hops.chain_for(speaker, reading.relays.get(speaker.key, []), reading.publisher)
    claim.accused = [
        a
        for a in targets.accused_in(text, offset, mentions, reading.catalogue)
        if a.key != speaker.key
    ]
    if claim.kind == "characterisation":
        claim.subjects = [
            s
            for s in targets.subjects_in(text, offset, mentions, reading.catalogue)
            if s.key != speaker.key
        ]
        if not claim.subjects and cue == (0, 0):
            claim.subjects = [m for m in mentions if not m.is_new][:1]
        if not claim.subjects and re.search(
            r"\bthe\s+(?:group|organi[sz]ation)\b", text[cue[1] :], re.I
        ):
            # "accused the group of …": the actor the text last characterised.
            earlier = [c.subjects for c in reading.claims if c.subjects]
            claim.subjects = earlier[-1][:1] if earlier else []
    if claim.figures:
        claim.kind = "casualty_count"
    _answer(reading, claim, text, offset)
    if claim.answers and cue[1] and len(text.split()) <= 8:
        reading.bare.add(len(reading.claims))
    reading.claims.append(claim)


def _made_on(claim: ProposedClaim, cue: tuple[int, int], offset: int) -> None:
    """ "said on Monday", "on Saturday rejected": a date beside the cue is when it was said."""
    if cue == (0, 0):
        return
    start, end = cue[0] + offset, cue[1] + offset
    for date in claim.dates:
        if 0 <= date.span[0] - end <= 12 or 0 <= start - date.span[1] <= 3:
            claim.made_on, claim.made_precision, claim.made_as_stated = (
                date.on,
                date.precision,
                date.as_stated,
            )
            return


def _kind(text: str) -> str:
    for pattern, kind in KINDS:
        if pattern.search(text):
            return kind
    return "other"


def _summary(
    text: str, speaker: ActorRef, spokesperson: ActorRef | None, cue: tuple[int, int]
) -> str:
    """A first neutral summary that says who claims it; the editor rewrites it."""
    clause = text[cue[1] :].strip(" ,:") if cue[1] and len(text) - cue[1] > 20 else text
    clause = re.sub(r"^that\s+", "", clause).strip()
    who = speaker.name + (f", through {spokesperson.name}," if spokesperson else "")
    return f"{who} says: {clause}" if cue != (0, 0) else f"{who}, in its own voice: {clause}"


def _answer(reading: _Reading, claim: ProposedClaim, text: str, offset: int) -> None:
    for speaker in list(reading.thread):
        if speaker != claim.speaker.key:
            del reading.thread[speaker]
    cue = responses.response_cue(text)
    if cue is None:
        denied = reading.thread.get(claim.speaker.key)
        if denied is not None and claim.kind == "targeting":
            claim.answers.append(Answer("disputes", claim.span, "", to_proposal=denied))
        return
    kind, (start, end), words = cue
    target = _answered(reading, claim, text, offset, kind)
    # Unresolved (target None): an answer to a claim of the record, looked for by record.py.
    claim.answers.append(Answer(kind, (start + offset, end + offset), words, to_proposal=target))
    if target is None:
        return
    if kind == "denies":
        reading.thread[claim.speaker.key] = target


def _answered(
    reading: _Reading, claim: ProposedClaim, text: str, offset: int, kind: str
) -> int | None:
    """The index of the proposed claim this one answers."""
    same = kind in responses.OWN_SPEAKER
    named = {m.key for m in reading.mentions if offset <= m.span[0] < offset + len(text)}
    earlier = list(enumerate(reading.claims))
    document = re.search(r"\b(?:report|findings|study|investigation)\b", text, re.I)
    for n, other in reversed(earlier if document else []):
        # "rejected the report's findings": the claim the text says came in a report.
        if other.speaker.key != claim.speaker.key and re.search(
            r"\b(?:report|study|investigation)\b", reading.text[other.span[0] : other.span[1]], re.I
        ):
            return n
    for n, other in reversed(earlier):
        if other.speaker.key in named and (other.speaker.key == claim.speaker.key) == same:
            return n
    if kind not in responses.DIRECT:
        return None
    fitting = [
        (n, o) for n, o in earlier if (o.speaker.key == claim.speaker.key) == same and not o.answers
    ]
    # A denial answers an allegation: a claim with figures or accusations, when there is one.
    alleging = [(n, o) for n, o in fitting if o.figures or o.accused]
    chosen = (alleging if kind in {"denies", "disputes", "rebuts"} and alleging else fitting)[-1:]
    return chosen[0][0] if chosen else None


def _attach_orphan_quotes(reading: _Reading, doc: object) -> None:
    """A quote in a sentence of its own belongs to the nearest claim before it."""
    taken = {id(q) for c in reading.claims for q in c.quotes}
    for quote in reading.quotes:
        if id(quote) in taken:
            continue
        spanning = [c for c in reading.claims if c.span[0] < quote.span[1] <= c.span[1] + 2]
        before = [c for c in reading.claims if c.span[0] <= quote.span[0]]
        owners = spanning or before[-1:]
        if owners:
            owners[0].quotes.append(quote)
