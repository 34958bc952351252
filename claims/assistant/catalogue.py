"""The record's actors as the assistant knows them: names and aliases, a spaCy pipeline whose
EntityRuler finds them, and fuzzy look-ups (rapidfuzz) for the names a text bends.

The pipeline is blank English (no model is downloaded): a sentencizer and an EntityRuler built
from the actors and aliases. It is built once per distinct catalogue and kept in memory.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import spacy
from rapidfuzz import fuzz, process
from spacy.language import Language

from sources.models import Actor, Affiliation, Alias

# Country adjectives, so that "Russia's Defence Ministry" and "the Russian Defence Ministry" meet,
# and "Russian bombing" accuses Russia.
DEMONYMS = {
    "russian": "russia",
    "syrian": "syria",
    "american": "united states",
    "us": "united states",
    "u.s.": "united states",
    "israeli": "israel",
    "turkish": "turkey",
    "iranian": "iran",
    "iraqi": "iraq",
    "ukrainian": "ukraine",
    "british": "united kingdom",
    "french": "france",
    "saudi": "saudi arabia",
    "yemeni": "yemen",
    "afghan": "afghanistan",
    "palestinian": "palestine",
    "lebanese": "lebanon",
    "chinese": "china",
    "german": "germany",
}
COUNTRY_ADJECTIVE = {country: adjective for adjective, country in DEMONYMS.items()}
FUZZY_CUTOFF = 88


@dataclass(frozen=True)
class Entry:
    """One name an actor goes by."""

    name: str
    slug: str
    kind: str
    canonical: str


def normalised(name: str) -> str:
    """Lower case, no leading article, "Russia's X" read as "Russian X", no punctuation."""
    text = name.casefold().strip()
    text = re.sub(r"^(the|a|an)\s+", "", text)
    text = re.sub(r"\b(\w+)['’]s\b", lambda m: COUNTRY_ADJECTIVE.get(m.group(1), m.group(1)), text)
    text = text.replace("defense", "defence").replace("ministry of defence", "defence ministry")
    return re.sub(r"[^\w\s-]", "", text).strip()


class Catalogue:
    """Names of actors, with a spaCy pipeline that finds them in a text."""

    def __init__(self, entries: list[Entry], affiliations: dict[str, str] | None = None) -> None:
        self.entries = entries
        # person slug → the organisation they speak for (their latest role)
        self.affiliations = affiliations or {}
        surnames: dict[str, list[Entry]] = {}
        for e in entries:
            if e.kind == "person" and e.name == e.canonical and " " in e.name:
                surnames.setdefault(e.name.split()[-1].casefold(), []).append(e)
        self._surnames = {k: v[0] for k, v in surnames.items() if len(v) == 1}
        self.by_slug = {e.slug: e for e in entries if e.name == e.canonical}
        self._choices = {normalised(e.name): e for e in entries}

    @classmethod
    def from_record(cls) -> Catalogue:
        """Every actor and alias of the record (two queries)."""
        actors = {a.slug: a for a in Actor.objects.only("slug", "name", "kind")}
        entries = [Entry(a.name, a.slug, a.kind, a.name) for a in actors.values()]
        for alias in Alias.objects.values("name", "actor__slug"):
            actor = actors[alias["actor__slug"]]
            entries.append(Entry(alias["name"], actor.slug, actor.kind, actor.name))
        roles = Affiliation.objects.order_by("start_on").values_list(
            "person__slug", "organisation__slug"
        )
        return cls(entries, dict(roles))

    @property
    def nlp(self) -> Language:
        return _pipeline(tuple(sorted({(e.name, e.slug) for e in self.entries})))

    def match(self, text: str) -> Entry | None:
        """The actor a name most likely means: exact on its normal form, else fuzzy."""
        key = normalised(text)
        if not key:
            return None
        if key in self._choices:
            return self._choices[key]
        if " " not in key:
            # One word: exact only ("Russian" is not "Russia"), or a known person's surname.
            return self._surnames.get(key)
        found = process.extractOne(
            key, self._choices.keys(), scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_CUTOFF
        )
        return self._choices[found[0]] if found else None

    def collective(self, words: str) -> Entry | None:
        """The armed-group actor a collective description names ("groups in Idlib")."""
        key = normalised(words)
        for entry in self.entries:
            if (
                entry.kind == "armed_group"
                and fuzz.token_set_ratio(key, normalised(entry.name)) >= 95
            ):
                return entry
        return None

    def country(self, adjective: str) -> Entry | None:
        """The state a country adjective names ("Russian" → Russia), if the record has it."""
        country = DEMONYMS.get(adjective.casefold())
        return self._choices.get(country) if country else None


@functools.lru_cache(maxsize=4)
def _pipeline(names: tuple[tuple[str, str], ...]) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = [{"label": "ACTOR", "pattern": name, "id": slug} for name, slug in names]
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp
