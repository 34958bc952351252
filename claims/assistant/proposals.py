"""What the assistant proposes: plain values tied to the character span they came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

Span = tuple[int, int]


@dataclass
class ActorRef:
    """An actor as the text names it: a record actor (``slug``) or a new one to create."""

    text: str
    span: Span
    slug: str = ""
    name: str = ""
    kind: str = ""  # the record's kind, or the guessed kind of a new actor
    is_new: bool = False
    role: str = ""  # "spokesman", "Major General"... for a person
    affiliation: str = ""  # slug or name of the organisation a person speaks for

    @property
    def key(self) -> str:
        """What makes two mentions the same actor: its slug, or its name when new."""
        return self.slug or self.name.casefold()


@dataclass
class Quote:
    text: str
    span: Span


@dataclass
class Figure:
    span: Span
    as_stated: str
    qualifier: str
    low: int | None
    high: int | None
    category: str = "unknown"
    outcome: str = "killed"
    basis: str = ""
    reported_by: str = (
        ""  # slug of the actor who paraphrased it (the publisher), when not the speaker
    )


@dataclass
class LooseDate:
    span: Span
    as_stated: str
    on: dt.date
    precision: str


@dataclass
class Hop:
    actor: ActorRef
    verb: str
    is_document: bool = False  # the last hop: the document the editor read


@dataclass
class Answer:
    """This claim answers another: a proposed one (by index) or one of the record's (by id)."""

    kind: str
    span: Span
    cue: str
    to_proposal: int | None = None
    to_claim: int | None = None


@dataclass
class ProposedClaim:
    speaker: ActorRef
    kind: str
    summary: str
    span: Span
    spokesperson: ActorRef | None = None
    quotes: list[Quote] = field(default_factory=list)
    quote_language: str = "en"
    translation: str = ""
    figures: list[Figure] = field(default_factory=list)
    dates: list[LooseDate] = field(default_factory=list)
    made_on: dt.date | None = None
    made_precision: str = "day"
    made_as_stated: str = ""
    chain: list[Hop] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    accused: list[ActorRef] = field(default_factory=list)
    subjects: list[ActorRef] = field(default_factory=list)
    incident: str = ""  # slug of a record incident the text matches
    existing: int | None = None  # id of a record claim this repeats: offered as a new hop

    @property
    def quote(self) -> str:
        return " […] ".join(q.text for q in self.quotes)


@dataclass
class Proposals:
    text: str
    published_on: dt.date
    publisher: str
    claims: list[ProposedClaim] = field(default_factory=list)
    actors: list[ActorRef] = field(default_factory=list)  # every mention found, for highlighting

    def as_json(self) -> dict[str, Any]:
        """JSON-ready values: dates as ISO strings, spans as two-item lists."""
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def claim_from_values(values: dict[str, Any]) -> ProposedClaim:
    """A proposed claim from plain values (the JSON the API gave, as an editor changed it)."""

    def actor(data: dict[str, Any] | None) -> ActorRef | None:
        return (
            None if data is None else ActorRef(**{**data, "span": tuple(data.get("span", (0, 0)))})
        )

    def spanned(cls: type, data: dict[str, Any]) -> Any:
        return cls(**{**data, "span": tuple(data.get("span", (0, 0)))})

    speaker = actor(values["speaker"])
    assert speaker is not None  # the serializer requires one
    return ProposedClaim(
        **{
            **values,
            "speaker": speaker,
            "spokesperson": actor(values.get("spokesperson")),
            "span": tuple(values.get("span", (0, 0))),
            "quotes": [spanned(Quote, q) for q in values.get("quotes", [])],
            "figures": [spanned(Figure, f) for f in values.get("figures", [])],
            "dates": [spanned(LooseDate, d) for d in values.get("dates", [])],
            "chain": [Hop(**{**h, "actor": actor(h["actor"])}) for h in values.get("chain", [])],
            "answers": [spanned(Answer, a) for a in values.get("answers", [])],
            "accused": [actor(a) for a in values.get("accused", [])],
            "subjects": [actor(s) for s in values.get("subjects", [])],
        }
    )


def kept(claims: list[ProposedClaim], chosen: list[int]) -> list[ProposedClaim]:
    """The claims at ``chosen`` (indices), their answers to claims not chosen dropped and the
    others pointing at the new positions."""
    moved = {old: new for new, old in enumerate(chosen)}
    result = []
    for n in chosen:
        claim = claims[n]
        claim.answers = [
            a for a in claim.answers if a.to_proposal is None or a.to_proposal in moved
        ]
        for answer in claim.answers:
            if answer.to_proposal is not None:
                answer.to_proposal = moved[answer.to_proposal]
        result.append(claim)
    return result
