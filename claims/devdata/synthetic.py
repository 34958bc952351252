"""Synthetic records at scale, for benchmarks and load tests; every row says it is synthetic.

The shape follows real collections: a few actors speak a great deal (Zipf-like weights), most
incidents draw a handful of claims while a few draw hundreds (Zipf-like weights), about one claim
in six answers an earlier claim about the same incident, every claim carries an attribution chain
of one to three hops, casualty counts carry figures, half the claims accuse an actor and one in ten
cites evidence.

One generator produces plain row tuples with ids it allocated itself, so children can name their
parents without reading ids back; a writer stores them (claims/synthetic_writers.py): COPY on
PostgreSQL, ``bulk_create`` elsewhere. The history triggers stay on either way: every synthetic row
is in the hash-chained history like any other row.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, transaction

from claims.devdata.synthetic_writers import Prepared, Writer, writer_for
from claims.ledger.history import acting_as
from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
)
from sources.models import Actor, Document

MARK = "[synthetic]"
# Claims per transaction: big enough that per-statement costs (one history trigger call per table
# and statement) vanish, small enough that the progress bar moves and transition tables stay small.
BATCH = 10_000
FIRST_DAY = dt.date(2011, 3, 1)
DAYS = 15 * 365
# Sentences are drawn from pools built once per run: building each one from six to ten random
# words per claim was a third of the Python time. The pools are large enough that a three-word
# phrase still matches about as often as with fresh sentences.
POOL = 1 << 15

# How often each kind of answer occurs, in Response.Kind order. Updates and retractions come
# only from the answered claim's own speaker (Response.OWN_SPEAKER_ONLY), so they answer that
# speaker's latest earlier claim in the incident, or nothing.
ANSWER_WEIGHTS = [30, 20, 10, 10, 5, 6, 2, 10, 13]
VERBS = ["said", "reported", "cited", "quoted", "relayed"]
PLACES = ["Aleppo", "Idlib", "Hama", "Homs", "Deir ez-Zor", "Raqqa", "Daraa", "Latakia", "Douma"]
WORDS = [
    "airstrike",
    "shelling",
    "convoy",
    "hospital",
    "market",
    "school",
    "checkpoint",
    "bridge",
    "village",
    "district",
    "displacement",
    "ceasefire",
    "detention",
    "rescue",
    "evacuation",
    "drone",
    "artillery",
    "depot",
]
ACTOR_KINDS = [
    Actor.Kind.ORGANISATION,
    Actor.Kind.STATE_BODY,
    Actor.Kind.ARMED_GROUP,
    Actor.Kind.MEDIA_OUTLET,
    Actor.Kind.NEWS_AGENCY,
    Actor.Kind.PERSON,
]
CLAIM_KINDS = [
    Claim.Kind.CASUALTY_COUNT,
    Claim.Kind.TARGETING,
    Claim.Kind.EVENT,
    Claim.Kind.CHARACTERISATION,
    Claim.Kind.RESPONSIBILITY,
    Claim.Kind.OTHER,
]
CLAIM_KIND_WEIGHTS = [35, 20, 20, 10, 10, 5]
STATUSES = [Claim.Status.PUBLISHED, Claim.Status.DRAFT, Claim.Status.WITHDRAWN]
STATUS_WEIGHTS = [95, 4, 1]
ANSWER_KINDS = list(Response.Kind.values)
OWN_SPEAKER_ONLY = set(Response.OWN_SPEAKER_ONLY)
# Enumeration values, looked up once: ``Kind.values`` builds a new list on every access.
FIGURE_CATEGORIES = list(CasualtyFigure.Category.values)
FIGURE_OUTCOMES = list(CasualtyFigure.Outcome.values)
EVIDENCE_KINDS = list(Evidence.Kind.values)
CHAIN_EXTRA_HOPS = [0, 1, 1, 2]
DELAYS = [dt.timedelta(days=d) for d in range(60)]

# The columns each generated row fills, in tuple order; writers fill the others from the model's
# defaults. ``id`` appears only where children must name the row.
ACTOR_COLUMNS = ("id", "name", "slug", "kind", "description")
DOCUMENT_COLUMNS = ("id", "uid", "title", "publisher_id", "language", "published_on")
INCIDENT_COLUMNS = ("id", "title", "slug", "place", "country", "start_on", "description")
CLAIM_COLUMNS = (
    "id",
    "uid",
    "speaker_id",
    "kind",
    "summary",
    "quote",
    "quote_language",
    "made_on",
    "incident_id",
    "status",
    "withdrawal_reason",
    "published_at",
)
FIGURE_COLUMNS = ("claim_id", "category", "outcome", "low", "high", "qualifier", "as_stated")
HOP_COLUMNS = ("claim_id", "position", "actor_id", "document_id", "verb")
ANSWER_COLUMNS = ("claim_id", "answers_id", "kind")
TARGET_COLUMNS = ("claim_id", "actor_id")
EVIDENCE_COLUMNS = ("claim_id", "relation", "kind", "description", "availability")


def _published_at(made_on: dt.date, status: str) -> dt.datetime | None:
    """A public claim is taken to be published the day after it was made, at noon UTC."""
    if status == Claim.Status.DRAFT:
        return None
    return dt.datetime.combine(made_on + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)


@dataclass
class Plan:
    """How many parents a run of ``claims`` claims adds: for 1M claims, 50k actors, 100k documents
    and 20k incidents."""

    claims: int
    seed: int = 2017

    @property
    def actors(self) -> int:
        return max(20, self.claims // 20)

    @property
    def documents(self) -> int:
        return max(10, self.claims // 10)

    @property
    def incidents(self) -> int:
        return max(5, self.claims // 50)


def _zipf_weights(n: int, exponent: float) -> list[float]:
    """Cumulative weights for ``random.choices``: rank r is drawn in proportion to 1/r^exponent."""
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, n + 1)))


def _sentence(rng: random.Random, n: int = 6) -> str:
    return " ".join(rng.choices(WORDS, k=n))


def _uid(rng: random.Random) -> str:
    """A version-4 UUID from a seeded generator, so a run can be repeated exactly."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class Generator:
    """Builds the rows of one run and hands them to ``writer`` batch by batch."""

    def __init__(self, plan: Plan, writer: Writer, progress: Callable[[int, int], None]) -> None:
        self.plan, self.writer, self.progress = plan, writer, progress
        self.rng = random.Random(plan.seed)
        self.summaries = [_sentence(self.rng) for _ in range(POOL)]
        self.quotes = [_sentence(self.rng, 10) for _ in range(POOL)]
        self.counts: dict[str, int] = {}
        # Dataset identifiers come from their own stream, seeded with the run's tag in actors():
        # a second run with the same seed must not repeat the first run's identifiers.
        self.uids: random.Random
        # The last 20 claims of each incident, as (id, date, speaker): the ones a new claim may
        # answer.
        self.recent: dict[int, list[tuple[int, dt.date, int]]] = {}

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            self.writer.begin()
            self.actor_ids = self.actors()
            # Outlets publish the documents: the first tenth of the actors.
            self.document_ids = self.documents(self.actor_ids[: max(5, len(self.actor_ids) // 10)])
            self.incident_starts = self.incidents()
        self.speaker_weights = _zipf_weights(len(self.actor_ids), 1.1)
        self.incident_weights = _zipf_weights(len(self.incident_starts), 0.9)
        total = self.plan.claims
        sizes = [min(BATCH, total - done) for done in range(0, total, BATCH)]
        # One worker thread builds batch k+1 while this thread stores batch k (the database
        # driver releases the GIL while it waits). A single worker keeps the random stream in
        # batch order, so a seed still gives the same rows.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pending: Future[list[tuple[str, Prepared]]] | None = pool.submit(
                self.batch, self.writer.allocate(Claim, sizes[0])
            )
            for size in [*sizes[1:], 0]:
                following = (
                    pool.submit(self.batch, self.writer.allocate(Claim, size)) if size else None
                )
                assert pending is not None  # None only once the last batch is stored
                with transaction.atomic():
                    self.writer.begin()
                    for name, prepared in pending.result():
                        self._store(name, prepared)
                self.progress(self.counts["claims"], total)
                pending = following
        self.writer.finish()
        return self.counts

    def _store(self, name: str, prepared: Prepared) -> None:
        self.writer.store(prepared)
        self.counts[name] = self.counts.get(name, 0) + prepared.count

    def actors(self) -> list[int]:
        ids = self.writer.allocate(Actor, self.plan.actors)
        tag = f"{self.plan.seed}-{ids[0]}"
        self.uids = random.Random(tag)
        rows = [
            (
                pk,
                f"Synthetic actor {n} ({tag})",
                f"synthetic-{tag}-actor-{n}",
                ACTOR_KINDS[n % len(ACTOR_KINDS)],
                f"{MARK} Generated by generate_data; not a real actor.",
            )
            for n, pk in enumerate(ids)
        ]
        self._store("actors", self.writer.prepare(Actor, ACTOR_COLUMNS, rows))
        return ids

    def documents(self, outlets: list[int]) -> list[int]:
        rng = self.rng
        ids = self.writer.allocate(Document, self.plan.documents)
        rows = [
            (
                pk,
                _uid(self.uids),
                f"{MARK} Report {n}: {_sentence(rng, 4)}",
                rng.choice(outlets),
                "en",
                FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)),
            )
            for n, pk in enumerate(ids)
        ]
        self._store("documents", self.writer.prepare(Document, DOCUMENT_COLUMNS, rows))
        return ids

    def incidents(self) -> list[tuple[int, dt.date]]:
        """Adds the incidents; returns each one's id and start date."""
        rng = self.rng
        ids = self.writer.allocate(Incident, self.plan.incidents)
        tag = f"{self.plan.seed}-{ids[0]}"
        rows = []
        for n, pk in enumerate(ids):
            place = rng.choice(PLACES)
            title = f"{MARK} {_sentence(rng, 2).capitalize()} in {place} #{n}"
            start = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
            description = f"{MARK} Generated by generate_data; not a real event."
            rows.append(
                (pk, title, f"synthetic-{tag}-incident-{n}", place, "SY", start, description)
            )
        self._store("incidents", self.writer.prepare(Incident, INCIDENT_COLUMNS, rows))
        return [(row[0], row[5]) for row in rows]

    def batch(self, ids: list[int]) -> list[tuple[str, Prepared]]:
        """The claims with the given ids and all their children, prepared for the writer.

        Runs on the worker thread: it touches only Python state, never the database.
        """
        claims = self.claims(ids)
        prepare = self.writer.prepare
        return [
            ("claims", prepare(Claim, CLAIM_COLUMNS, claims)),
            *(
                (name, prepare(model, columns, rows))
                for name, model, columns, rows in self.children(claims)
            ),
        ]

    def claims(self, ids: list[int]) -> list[tuple]:
        rng, uids, size = self.rng, self.uids, len(ids)
        speakers = rng.choices(self.actor_ids, cum_weights=self.speaker_weights, k=size)
        chosen = rng.choices(self.incident_starts, cum_weights=self.incident_weights, k=size)
        kinds = rng.choices(CLAIM_KINDS, weights=CLAIM_KIND_WEIGHTS, k=size)
        statuses = rng.choices(STATUSES, weights=STATUS_WEIGHTS, k=size)
        summaries = rng.choices(self.summaries, k=size)
        quotes = rng.choices(self.quotes, k=size)
        # Claims come within 60 days of the incident's start.
        delays = rng.choices(DELAYS, k=size)
        return [
            (
                pk,
                _uid(uids),
                speaker,
                kind,
                f"{MARK} Synthetic actor {speaker} says {summary}.",
                quote,
                "en",
                start + delay,
                incident,
                status,
                "Synthetic withdrawal." if status == Claim.Status.WITHDRAWN else "",
                _published_at(start + delay, status),
            )
            for pk, speaker, (incident, start), kind, status, summary, quote, delay in zip(
                ids, speakers, chosen, kinds, statuses, summaries, quotes, delays, strict=True
            )
        ]

    def children(self, claims: list[tuple]) -> list[tuple[str, type, tuple[str, ...], list]]:
        """Figures, attribution chains, answers, accused actors and evidence of some claims."""
        rng, actor_ids, document_ids = self.rng, self.actor_ids, self.document_ids
        random_ = rng.random
        figures, hops, answers, targets, evidence = [], [], [], [], []
        for pk, _, speaker, kind, *_, made_on, incident, _, _, _ in claims:
            if kind == Claim.Kind.CASUALTY_COUNT:
                figures.append(self._figure(pk))
            chain = [speaker, *rng.sample(actor_ids, rng.choice(CHAIN_EXTRA_HOPS))]
            last = len(chain)
            for position, actor in enumerate(chain, start=1):
                document = rng.choice(document_ids) if position == last else None
                hops.append((pk, position, actor, document, rng.choice(VERBS)))
            earlier = self.recent.setdefault(incident, [])
            if earlier and random_() < 0.35:
                answer = rng.choices(ANSWER_KINDS, weights=ANSWER_WEIGHTS)[0]
                if answer in OWN_SPEAKER_ONLY:
                    own = [claim for claim in earlier if claim[2] == speaker]
                    answered, answered_on, _ = own[-1] if own else (None, made_on, None)
                else:
                    answered, answered_on, _ = rng.choice(earlier)
                if answered is not None and answered_on <= made_on:
                    answers.append((pk, answered, answer))
            earlier.append((pk, made_on, speaker))
            if len(earlier) > 20:
                del earlier[0]
            if random_() < 0.5:
                target = rng.choice(actor_ids)
                if target != speaker:
                    targets.append((pk, target))
            if random_() < 0.1:
                evidence.append(
                    (
                        pk,
                        Evidence.Relation.CITED_BY_SPEAKER,
                        rng.choice(EVIDENCE_KINDS),
                        f"{MARK} Material the speaker refers to.",
                        Evidence.Availability.NOT_PRODUCED,
                    )
                )
        return [
            ("figures", CasualtyFigure, FIGURE_COLUMNS, figures),
            ("attributions", Attribution, HOP_COLUMNS, hops),
            ("responses", Response, ANSWER_COLUMNS, answers),
            ("claim targets", ClaimTarget, TARGET_COLUMNS, targets),
            ("evidence", Evidence, EVIDENCE_COLUMNS, evidence),
        ]

    def _figure(self, claim_id: int) -> tuple:
        rng = self.rng
        low = int(rng.paretovariate(1.2) * 3)
        exact = rng.random() < 0.6
        return (
            claim_id,
            rng.choice(FIGURE_CATEGORIES),
            rng.choice(FIGURE_OUTCOMES),
            low,
            low if exact else None,
            "exactly" if exact else "at_least",
            str(low) if exact else f"at least {low}",
        )


def generate(*, claims: int, seed: int, progress: Callable[[int, int], None]) -> dict[str, int]:
    """Add ``claims`` synthetic claims with actors, documents, incidents and everything around.

    The history records every row, with the context "generate_data".
    """
    plan = Plan(claims=claims, seed=seed)
    with acting_as(None, "generate_data"):
        return Generator(plan, writer_for(connection), progress).run()
