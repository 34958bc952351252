"""The running example: one 2017 broadcast report of a casualty claim about Idlib and its denial.

Everything here is the record's own wording of who said what; quotes are a word or two, and the
figures, dates and chain are as the report gives them. Loading is idempotent: each row is looked up
by a natural key and created only when missing, so a second run writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from claims.models import (
    Attribution,
    CasualtyFigure,
    Claim,
    Evidence,
    Incident,
    Response,
)
from claims.record.actors import save_actor
from claims.record.claims import save_statement, targets_of
from claims.record.documents import save_document
from claims.record.incidents import save_incident
from claims.record.responses import link_response
from claims.record.workflow import OPERATOR
from claimtracker.dates import Precision
from sources.models import Actor, Affiliation, Alias, Document

K = Actor.Kind
ACTORS = [
    # slug, name, kind, country, description, [(alias, language), ...]
    ("white-helmets", "White Helmets", K.ORGANISATION, "SY",
     "Volunteer rescue organisation working in opposition-held areas of Syria.",
     [("Syrian Civil Defence", "en"), ("Syria Civil Defence", "en"),
      ("الدفاع المدني السوري", "ar")]),
    ("white-helmets-spokesperson", "Unnamed White Helmets spokesperson", K.UNIDENTIFIED, "SY",
     "A spokesperson of the White Helmets whom the reports do not name.", []),
    ("russian-defence-ministry", "Ministry of Defence of the Russian Federation", K.STATE_BODY,
     "RU", "The Russian government ministry responsible for the armed forces.",
     [("Russian Defence Ministry", "en"), ("Russian Ministry of Defence", "en"),
      ("Минобороны России", "ru")]),
    ("igor-konashenkov", "Igor Konashenkov", K.PERSON, "RU",
     "Major General; official spokesman of the Russian Defence Ministry.",
     [("Игорь Конашенков", "ru")]),
    ("reuters", "Reuters", K.NEWS_AGENCY, "GB", "International news agency.", []),
    ("rt", "RT", K.MEDIA_OUTLET, "RU", "Russian state-funded international broadcaster.",
     [("Russia Today", "en")]),
    ("unnamed-critics", "Unnamed critics (as cited by RT)", K.UNIDENTIFIED, "",
     "Critics of the White Helmets whom RT mentions without naming any of them.", []),
    ("russia", "Russia", K.STATE, "RU", "The Russian Federation as a state party.",
     [("Russian Federation", "en"), ("Moscow", "en")]),
    ("syrian-government", "Syrian government", K.STATE, "SY",
     "The government of the Syrian Arab Republic and its armed forces.",
     [("Government of Syria", "en"), ("Syrian Arab Republic", "en")]),
    ("nusra-front", "Nusra Front", K.ARMED_GROUP, "SY",
     "Armed group active in north-western Syria.",
     [("Jabhat al-Nusra", "en"), ("al-Nusra Front", "en"), ("جبهة النصرة", "ar")]),
    ("idlib-armed-groups", "Armed groups in Idlib (not named individually)", K.ARMED_GROUP, "SY",
     "Groups the Russian Defence Ministry refers to collectively as Islamist groups in Idlib.",
     []),
]  # fmt: skip

REPORT = "rt-idlib-report-2017"
REPORT_TITLE = "RT report: Russian Defence Ministry answers White Helmets casualty figure for Idlib"

INCIDENTS = [
    {
        "slug": "idlib-airstrikes-september-2017",
        "title": "Airstrikes in Idlib province, September 2017",
        "description": "Air and missile strikes in Idlib province during the week before the "
        "report; the parties disagree on what and whom they hit.",
        "place": "Idlib province",
        "region": "Idlib",
        "country": "SY",
        "latitude": "35.93000",
        "longitude": "36.63000",
        # The point is the province's, not a strike's: the report names no town.
        "location_precision": "province",
        "start_on": dt.date(2017, 9, 18),
        "start_precision": Precision.WEEK,
        "start_as_stated": "last week (the week before the 26 September 2017 report)",
        "end_on": dt.date(2017, 9, 18),
        "end_precision": Precision.WEEK,
        "end_as_stated": "last week",
    },
    {
        "slug": "attack-on-russian-military-police-2017",
        "title": "Fighting in Idlib province and north of Hama, September 2017",
        "description": "Fighting the Russian Defence Ministry reports in Idlib province and "
        "north of Hama: an attack on Syrian government troops and a Russian military police "
        "unit, by its account, and the rescue operation it says followed.",
        "place": "Idlib province and north of Hama",
        "region": "Idlib / Hama",
        "country": "SY",
        "start_on": dt.date(2017, 9, 18),
        "start_precision": Precision.WEEK,
        "start_as_stated": "last week",
    },
]

# Titles earlier demos gave, which stated one party's account as the event.
OLD_TITLES = {"Attack on Syrian government troops and a Russian military police unit"}

AIRSTRIKES = "idlib-airstrikes-september-2017"
ATTACK = "attack-on-russian-military-police-2017"
REPORT_DAY = dt.date(2017, 9, 26)
MINISTRY = "russian-defence-ministry"
# The chain for statements the record knows only from the broadcaster's report.
VIA_RT = [("russian-defence-ministry", "said", None), ("rt", "reported", REPORT)]


@dataclass
class DemoClaim:
    key: str
    speaker: str
    kind: str
    summary: str
    incident: str | None = None
    spokesperson: str | None = None
    quote: str = ""
    made_on: dt.date = REPORT_DAY
    made_precision: str = Precision.DAY
    made_as_stated: str = ""
    accused: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    chain: list[tuple[str, str, str | None]] = field(default_factory=lambda: list(VIA_RT))
    figures: list[dict] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)


CLAIMS = [
    DemoClaim(
        key="wh-152",
        speaker="white-helmets",
        spokesperson="white-helmets-spokesperson",
        kind=Claim.Kind.CASUALTY_COUNT,
        incident=AIRSTRIKES,
        summary="The White Helmets, through an unnamed spokesperson, say their members recovered "
        "the bodies of 152 civilians killed by Russian and Syrian government air strikes in "
        "Idlib province during the previous week.",
        made_on=dt.date(2017, 9, 25),
        made_precision=Precision.WEEK,
        made_as_stated="reported by RT on 26 September 2017, citing Reuters",
        accused=["russia", "syrian-government"],
        chain=[
            ("white-helmets", "said", None),
            ("reuters", "reported", None),
            ("rt", "cited", REPORT),
        ],
        figures=[
            {
                "low": 152,
                "high": 152,
                "qualifier": "exactly",
                "as_stated": "152",
                "basis": "bodies recovered by White Helmets members",
            },
            {
                "low": 150,
                "high": None,
                "qualifier": "more_than",
                "as_stated": "over 150",
                "basis": "RT's paraphrase of the same count",
                "reported_by": "rt",
            },
        ],
    ),
    DemoClaim(
        key="mod-no-residential",
        speaker=MINISTRY,
        spokesperson="igor-konashenkov",
        kind=Claim.Kind.TARGETING,
        incident=AIRSTRIKES,
        summary="The Russian Defence Ministry, through its spokesman Igor Konashenkov, says "
        "Russian aircraft do not strike residential areas or villages.",
        answers=[("wh-152", Response.Kind.DENIES)],
    ),
    DemoClaim(
        key="mod-verified-targets",
        speaker=MINISTRY,
        spokesperson="igor-konashenkov",
        kind=Claim.Kind.TARGETING,
        incident=AIRSTRIKES,
        summary="The Russian Defence Ministry says its strikes hit bases, equipment and arms "
        "depots of groups it describes as terrorist, found by drone surveillance and "
        "cross-checked through other channels.",
        answers=[("wh-152", Response.Kind.DISPUTES)],
        evidence=[
            {
                "relation": Evidence.Relation.CITED_BY_SPEAKER,
                "kind": Evidence.Kind.INTELLIGENCE,
                "availability": Evidence.Availability.NOT_PRODUCED,
                "description": "Drone surveillance that the Ministry says located the targets, and "
                "confirmation it says came through other channels. Neither is shown in the report.",
            },
        ],
    ),
    DemoClaim(
        key="mod-nusra-targets",
        speaker=MINISTRY,
        spokesperson="igor-konashenkov",
        kind=Claim.Kind.TARGETING,
        incident=AIRSTRIKES,
        summary="The Russian Defence Ministry says all its recent strikes in Idlib hit the "
        "Nusra Front, which it says had attacked Russian and Syrian troops in Hama.",
        accused=["nusra-front"],
        answers=[("wh-152", Response.Kind.DISPUTES)],
    ),
    DemoClaim(
        key="mod-credibility",
        speaker=MINISTRY,
        spokesperson="igor-konashenkov",
        kind=Claim.Kind.CHARACTERISATION,
        incident=AIRSTRIKES,
        summary="Igor Konashenkov, for the Russian Defence Ministry, calls the White Helmets "
        '"crooks" and criticises Reuters for lending the group credibility.',
        quote="crooks",
        subjects=["white-helmets", "reuters"],
        answers=[("wh-152", Response.Kind.ATTACKS_CREDIBILITY)],
    ),
    DemoClaim(
        key="rt-controversial",
        speaker="rt",
        kind=Claim.Kind.CHARACTERISATION,
        summary="RT, in its own voice, describes the White Helmets as a controversial group.",
        subjects=["white-helmets"],
        chain=[("rt", "published", REPORT)],
    ),
    DemoClaim(
        key="critics-staged",
        speaker="unnamed-critics",
        kind=Claim.Kind.CHARACTERISATION,
        summary="According to RT, unnamed critics allege that the White Helmets have staged "
        "rescues; RT names none of these critics.",
        subjects=["white-helmets"],
        chain=[("rt", "reported", REPORT)],
    ),
    DemoClaim(
        key="mod-attack",
        speaker=MINISTRY,
        kind=Claim.Kind.EVENT,
        incident=ATTACK,
        summary="The Russian Defence Ministry says armed groups in Idlib, which it calls "
        "Islamist, attacked Syrian government troops and a Russian military police unit.",
        made_on=dt.date(2017, 9, 18),
        made_precision=Precision.WEEK,
        made_as_stated="last week",
        accused=["idlib-armed-groups"],
    ),
    DemoClaim(
        key="mod-rescue",
        speaker=MINISTRY,
        kind=Claim.Kind.EVENT,
        incident=ATTACK,
        summary="The Russian Defence Ministry says Russian special forces rescued the military "
        "police unit.",
        made_on=dt.date(2017, 9, 18),
        made_precision=Precision.WEEK,
        made_as_stated="last week",
    ),
    DemoClaim(
        key="mod-retaliation",
        speaker=MINISTRY,
        kind=Claim.Kind.EVENT,
        incident=AIRSTRIKES,
        summary="The Russian Defence Ministry says Russia answered the attack with air strikes "
        "and cruise missiles.",
        made_on=dt.date(2017, 9, 18),
        made_precision=Precision.WEEK,
        made_as_stated="last week",
    ),
]


class _Loader:
    """Creates each demo row only when it is missing, through the write path, counting what it
    created. A claim already loaded is left as it is, with its parts."""

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.actors: dict[str, Actor] = {}
        self.claims: dict[str, Claim] = {}

    def count(self, model: type[models.Model], n: int = 1) -> None:
        if n:
            self.created[str(model._meta.verbose_name_plural)] += n

    def run(self) -> Counter[str]:
        for slug, name, kind, country, description, aliases in ACTORS:
            self.actors[slug] = self._actor(slug, name, kind, country, description, aliases)
        self._affiliation(
            person=self.actors["igor-konashenkov"],
            organisation=self.actors[MINISTRY],
            role="spokesman (Major General)",
        )
        report = Document.objects.filter(title=REPORT_TITLE, publisher=self.actors["rt"]).first()
        if report is None:
            values = {
                "title": REPORT_TITLE,
                "publisher": self.actors["rt"],
                "kind": Document.Kind.ARTICLE,
                "language": "en",
                "published_on": REPORT_DAY,
                "full_text": "",
            }
            report = save_document(by=OPERATOR, values=values)
            self.count(Document)
        documents = {REPORT: report}
        incidents = {values["slug"]: self._incident(values) for values in INCIDENTS}
        for item in CLAIMS:
            self.claims[item.key] = self._claim(item, incidents, documents)
        for item in CLAIMS:
            for answered, how in item.answers:
                claim, answers = self.claims[item.key], self.claims[answered]
                if not Response.objects.filter(claim=claim, answers=answers, kind=how).exists():
                    link_response(by=OPERATOR, claim=claim, answers=answers, kind=how)
                    self.count(Response)
        return self.created

    def _actor(
        self, slug: str, name: str, kind: str, country: str, description: str, aliases: list
    ) -> Actor:
        actor = Actor.objects.filter(slug=slug).first()
        is_new = actor is None
        kept = [] if actor is None else list(actor.aliases.all())
        have = {(alias.name, alias.language) for alias in kept}
        missing = [Alias(name=n, language=lang) for n, lang in aliases if (n, lang) not in have]
        if actor is None or missing:
            values = {"slug": slug, "name": name, "kind": kind, "country": country}
            actor = save_actor(
                by=OPERATOR,
                values={**values, "description": description} if is_new else {},
                actor=actor,
                aliases=[*kept, *missing],
            )
        self.count(Actor, int(is_new))
        self.count(Alias, len(missing))
        return actor

    def _affiliation(self, *, person: Actor, organisation: Actor, role: str) -> None:
        kept = list(person.affiliations.all())
        if any(a.organisation_id == organisation.pk for a in kept):
            return
        row = Affiliation(organisation=organisation, role=role)
        save_actor(by=OPERATOR, values={}, actor=person, affiliations=[*kept, row])
        self.count(Affiliation)

    def _incident(self, values: dict) -> Incident:
        incident = Incident.objects.filter(slug=values["slug"]).first()
        if incident is None:
            incident = save_incident(by=OPERATOR, values=dict(values))
            self.count(Incident)
        elif incident.title in OLD_TITLES:
            # Loaded before the title was made neutral: retitle it, with its description.
            wording = {"title": values["title"], "description": values["description"]}
            incident = save_incident(by=OPERATOR, values=wording, incident=incident)
        return incident

    def _claim(self, item: DemoClaim, incidents: dict, documents: dict) -> Claim:
        speaker = self.actors[item.speaker]
        claim = Claim.objects.filter(speaker=speaker, summary=item.summary).first()
        if claim is not None:
            return claim
        claim = Claim(
            speaker=speaker,
            summary=item.summary,
            spokesperson=self.actors.get(item.spokesperson or ""),
            kind=item.kind,
            quote=item.quote,
            quote_language="en",
            made_on=item.made_on,
            made_precision=item.made_precision,
            made_as_stated=item.made_as_stated,
            incident=incidents.get(item.incident or ""),
            status=Claim.Status.PUBLISHED,
        )
        parts: dict[str, Any] = {
            "targets": targets_of(
                [self.actors[slug] for slug in item.accused],
                [self.actors[slug] for slug in item.subjects],
            ),
            "chain": [
                Attribution(actor=self.actors[slug], verb=verb, document=documents.get(document))
                for slug, verb, document in item.chain
            ],
            "figures": [
                CasualtyFigure(
                    **{**figure, "reported_by": self.actors.get(figure.get("reported_by", ""))},
                    category=CasualtyFigure.Category.CIVILIANS,
                    outcome=CasualtyFigure.Outcome.KILLED,
                )
                for figure in item.figures
            ],
            "evidence": [Evidence(**evidence) for evidence in item.evidence],
        }
        save_statement(by=OPERATOR, claim=claim, **parts)
        self.count(Claim)
        for rows in parts.values():
            if rows:
                self.count(type(rows[0]), len(rows))
        return claim


@transaction.atomic
def load_demo(*, dry_run: bool = False) -> Counter[str]:
    """Load the running example; return how many rows of each kind were created.

    With ``dry_run`` everything is written inside the transaction and then rolled back, so the
    counts say what a real run would add.
    """
    created = _Loader().run()
    if dry_run:
        transaction.set_rollback(True)
    return created
