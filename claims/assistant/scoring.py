"""How good the proposals are: precision and recall per kind against an editor's statements.

A test set is a folder of articles (JSON: text, publisher, published_on, and ``gold``, what a
careful editor would enter) beside an ``actors.json`` that stands for the record's actors. Each
kind is compared as a set of keys per article: speakers by actor, quotes by their words (fuzzy,
so a trailing comma does not count), figures by low/high/qualifier (or their words when they have
no number), dates by day and precision, hops by the whole chain, responses by kind, answering
speaker and answered speaker.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from claims.assistant.catalogue import Catalogue, Entry
from claims.assistant.pipeline import propose
from claims.assistant.proposals import Figure, Proposals

KINDS = ("speaker", "quote", "figure", "date", "hop", "response")


@dataclass
class Tally:
    found: int = 0  # proposed
    right: int = 0  # proposed and in the gold
    expected: int = 0  # in the gold
    recalled: int = 0  # in the gold and proposed

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.recalled / self.expected if self.expected else 1.0


@dataclass
class Score:
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})

    def add(self, kind: str, proposed: set[Any], gold: set[Any]) -> None:
        tally = self.tallies[kind]
        same = _same_quote if kind == "quote" else (lambda a, b: a == b)
        tally.found += len(proposed)
        tally.expected += len(gold)
        tally.right += sum(any(same(p, g) for g in gold) for p in proposed)
        tally.recalled += sum(any(same(p, g) for p in proposed) for g in gold)


def catalogue_from(path: Path) -> Catalogue:
    data = json.loads(path.read_text())
    entries = []
    for slug, name, kind, aliases in data["actors"]:
        entries.append(Entry(name, slug, kind, name))
        entries += [Entry(alias, slug, kind, name) for alias in aliases]
    return Catalogue(entries, dict(data.get("affiliations", [])))


def articles(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def propose_for(article: dict[str, Any], catalogue: Catalogue) -> Proposals:
    day = dt.date.fromisoformat(article["published_on"])
    return propose(
        article["text"], published_on=day, publisher=article["publisher"], catalogue=catalogue
    )


def score(items: Iterable[dict[str, Any]], catalogue: Catalogue) -> Score:
    total = Score()
    for article in items:
        found, gold = keys(propose_for(article, catalogue)), gold_keys(article["gold"])
        for kind in KINDS:
            total.add(kind, found[kind], gold[kind])
    return total


def keys(proposals: Proposals) -> dict[str, set[Any]]:
    """What the proposals hold, as the keys the gold is compared with."""
    claims = proposals.claims
    index = {n: c.speaker.key for n, c in enumerate(claims)}
    return {
        "speaker": {c.speaker.key for c in claims},
        "quote": {q.text for c in claims for q in c.quotes},
        "figure": {figure_key(f) for c in claims for f in c.figures},
        "date": {(d.on.isoformat(), str(d.precision)) for c in claims for d in c.dates},
        "hop": {tuple(h.actor.key for h in c.chain) for c in claims},
        "response": {
            (a.kind, c.speaker.key, index.get(-1 if a.to_proposal is None else a.to_proposal, ""))
            for c in claims
            for a in c.answers
            if a.to_proposal is not None
        },
    }


def gold_keys(gold: dict[str, Any]) -> dict[str, set[Any]]:
    return {
        "speaker": set(gold["speakers"]),
        "quote": set(gold["quotes"]),
        "figure": {
            tuple(f) if f[0] != "words" else ("words", f[1].casefold()) for f in gold["figures"]
        },
        "date": {tuple(d) for d in gold["dates"]},
        "hop": {tuple(h) for h in gold["hops"]},
        "response": {tuple(r) for r in gold["responses"]},
    }


def figure_key(figure: Figure) -> tuple[Any, ...]:
    if figure.low is None and figure.high is None:
        return ("words", figure.as_stated.casefold())
    return (figure.low, figure.high, figure.qualifier)


def seconds_per_article(text: str, catalogue: Catalogue, runs: int = 5) -> float:
    """Median time to propose for ``text``, once the pipeline is built and warm."""
    propose(text, published_on=dt.date(2020, 1, 1), publisher="x", catalogue=catalogue)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        propose(text, published_on=dt.date(2020, 1, 1), publisher="x", catalogue=catalogue)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _same_quote(a: str, b: str) -> bool:
    return fuzz.ratio(a.strip(" ,.\"'“”"), b.strip(" ,.\"'“”")) >= 90
