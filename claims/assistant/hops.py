"""Attribution hops: who relayed a statement, in order from the speaker to this document.

- "X told Reuters" → X said → Reuters reported → the publisher cited;
- "Reuters cited a White Helmets spokesman as saying" / "Reuters reported, citing the group"
  → the spokesman's organisation said → Reuters reported → the publisher cited;
- "according to AFP", "as reported by AFP", "AFP quoted him as saying" → AFP is a hop;
- "told reporters", "said in a statement" name no relay: speaker said → the publisher reported;
- the publisher speaking in its own voice: one hop, published;
- "critics say", with no relay: one hop, the publisher reported (nobody traceable said it).
A relay found for a speaker holds for that speaker's other statements in the same text.
"""

from __future__ import annotations

import re

from claims.assistant.proposals import ActorRef, Hop

RELAY_KINDS = {"news_agency", "media_outlet"}
BY_RELAY = re.compile(r"\b(?:as\s+)?(?:quoted|reported|cited)\s+by\s+(?:the\s+)?$", re.I)
# The words around a relay's mention that make it one, with the verb the record uses.
RELAY_CUES = [
    (re.compile(r"\b(?:told|telling|speaking\s+to|in\s+an\s+interview\s+with)\s+(?:the\s+)?$", re.I), "reported"),
    (re.compile(r"\b(?:according\s+to|as\s+reported\s+by|cited\s+by|quoted\s+by|reported\s+by|via)\s+(?:the\s+)?$", re.I), "reported"),
    (re.compile(r"^\s*(?:news\s+agency\s+)?(?:reported|reports|cited|quoted|said|wrote|quoting|citing)\b", re.I), "reported"),
    (re.compile(r"^\s*,\s*(?:citing|quoting)\b", re.I), "reported"),
]  # fmt: skip


def relays_in(sentence: str, offset: int, mentions: list[ActorRef], speaker: ActorRef) -> list[Hop]:
    """The outlets in one sentence that passed the speaker's words on, nearest the speaker first."""
    hops: list[Hop] = []
    for ref in mentions:
        start, end = ref.span[0] - offset, ref.span[1] - offset
        if ref.key == speaker.key or not 0 <= start < len(sentence):
            continue
        before, after = sentence[:start], sentence[end:]
        if (
            ref.is_new
            and ref.kind not in RELAY_KINDS
            and " " not in ref.text
            and BY_RELAY.search(before)
        ):
            ref.kind = "media_outlet"  # "as quoted by Ukrinform": whoever quotes is a relay
        if ref.kind not in RELAY_KINDS:
            continue
        for pattern, verb in RELAY_CUES:
            if pattern.search(before if pattern.pattern.endswith("$") else after):
                if all(h.actor.key != ref.key for h in hops):
                    hops.append(Hop(ref, verb))
                break
    return hops


def chain_for(speaker: ActorRef, relays: list[Hop], publisher: ActorRef) -> list[Hop]:
    """The whole chain: the speaker, the relays, and the publisher holding this document."""
    if speaker.key == publisher.key:
        return [Hop(publisher, "published", is_document=True)]
    if speaker.kind == "unidentified" and not relays:
        # "Critics say": nobody the record can trace said it; the outlet reports it, weakly.
        return [Hop(publisher, "reported", is_document=True)]
    middle = [h for h in relays if h.actor.key != publisher.key]
    last = "cited" if middle else "reported"
    return [Hop(speaker, "said"), *middle, Hop(publisher, last, is_document=True)]
