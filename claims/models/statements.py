"""Claims: one actor's assertion at one time, its targets, and its derived standing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from claims.models.figures import CasualtyFigure
from claims.models.links import Attribution, Response
from claims.models.standing import Standing, StandingOf
from claimtracker.dates import DayField, Precision, describe, known_by, normalise, period
from sources.codes import LanguageField
from sources.models import Actor, Document, language_code

if TYPE_CHECKING:
    from claims.models.evidence import Assessment


class QuoteCheck(models.TextChoices):
    """Whether a claim's quote was found in the text of its source document."""

    UNCHECKED = "unchecked", "not checked yet"
    FOUND = "found", "found in source"
    NOT_FOUND = "not_found", "not found in source"
    NO_TEXT = "no_text", "source has no text to check"


# Who reads: a signed-in user, the anonymous one, or None where no request is at hand.
Reader = User | AnonymousUser | None


def reads_drafts(user: Reader) -> bool:
    """Whether ``user`` may read drafts and withdrawn claims: the one rule every page, API view,
    export and search applies (analysts, editors, reviewers and administrators may)."""
    return bool(user is not None and user.is_authenticated and user.has_perm("claims.view_claim"))


def listed_statuses(user: Reader) -> set[str]:
    """Statuses lists show: every status (marked) to draft readers, published only to others.

    A withdrawn claim stays readable at its URL (``visible_to``) with its notice, but no longer
    appears in lists, threads, exports or counts for the public.
    """
    return set(Claim.Status.values) if reads_drafts(user) else {Claim.Status.PUBLISHED}


def made_by(day: dt.date, prefix: str = "") -> Q:
    """Claims (or, with ``prefix="claim__"``, rows of another model by their claim) made by
    ``day``, counting a loose date by the end of its period (``claimtracker.dates.known_by``):
    the one definition of "as of" a date in world time."""
    condition = Q()
    for precision, bound in known_by(day).items():
        condition |= Q(**{f"{prefix}made_precision": precision, f"{prefix}made_on__lt": bound})
    return condition


class ClaimQuerySet(models.QuerySet):
    def published(self) -> ClaimQuerySet:
        return self.filter(status=Claim.Status.PUBLISHED)

    def public(self) -> ClaimQuerySet:
        """What anyone may read at its URL: published claims, and withdrawn ones with notice."""
        return self.filter(status__in=[Claim.Status.PUBLISHED, Claim.Status.WITHDRAWN])

    def made_by(self, day: dt.date) -> ClaimQuerySet:
        """Claims made by ``day`` (loose dates by the end of their period)."""
        return self.filter(made_by(day))

    def visible_to(self, user: Reader) -> ClaimQuerySet:
        """What ``user`` may open at its URL."""
        return self if reads_drafts(user) else self.public()

    def listed_for(self, user: Reader) -> ClaimQuerySet:
        """What lists, exports and search show ``user``."""
        return self if reads_drafts(user) else self.published()

    def with_standing(self, as_of: dt.date | None = None) -> ClaimQuerySet:
        """Annotate ``annotated_standing``: the one definition of standing (``Standing``,
        ``StandingOf``); with ``as_of``, the standing in world time on that day, from the
        answers made by then."""
        return self.annotate(annotated_standing=StandingOf("pk", "speaker", as_of=as_of))

    def with_exchanges(self, shown: Collection[str], as_of: dt.date | None = None) -> ClaimQuerySet:
        """What a claim in a list shows a reader of claims in the ``shown`` statuses: its
        people and incident, the claims it answers (``answers_shown``) and how many answers it
        received (``answers_received``), both only among claims the reader may see, so a list
        never names a draft's speaker to the public; with ``as_of``, only those made by then."""
        made = Q() if as_of is None else made_by(as_of, prefix="claim__")
        answered = Q() if as_of is None else made_by(as_of, prefix="answers__")
        received = (
            Response.objects.filter(made, answers=OuterRef("pk"), claim__status__in=shown)
            .order_by()
            .values("answers")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.select_related("speaker", "spokesperson", "incident")
            .prefetch_related(
                # What each claim answers, with that claim's speaker, for the whole page at once.
                Prefetch(
                    "responses_made",
                    queryset=Response.objects.filter(answered, answers__status__in=shown)
                    .select_related("answers__speaker")
                    .order_by("answers__made_on", "answers_id"),
                    to_attr="answers_shown",
                ),
            )
            .annotate(answers_received=Coalesce(Subquery(received), 0))
        )

    def with_thread(self) -> ClaimQuerySet:
        """Everything a claim page or API detail shows, in a fixed number of queries."""
        return self.select_related("speaker", "spokesperson", "incident").prefetch_related(
            # One query for figures instead of one per claim.
            Prefetch("figures", queryset=CasualtyFigure.objects.select_related("reported_by")),
            # The chain with each hop's actor and document, instead of two queries per hop.
            Prefetch(
                "attributions",
                queryset=Attribution.objects.select_related("actor", "document__publisher"),
            ),
            # Accused/targeted actors with their names, instead of one query per target.
            Prefetch("claim_targets", queryset=ClaimTarget.objects.select_related("actor")),
            "evidence",
            # Both directions of the allegation <-> response link with the other side's speaker.
            Prefetch(
                "responses_received",
                queryset=Response.objects.select_related("claim__speaker").order_by(
                    "claim__made_on", "claim_id"
                ),
            ),
            Prefetch(
                "responses_made",
                queryset=Response.objects.select_related("answers__speaker").order_by(
                    "answers__made_on", "answers_id"
                ),
            ),
        )


class Claim(models.Model):
    """One actor's assertion at one time, as the record knows it."""

    # Set by claims.pages.claims.hide_unseen_answers on the claims a page shows.
    answers_shown: list[Response]
    answered_by_shown: list[Response]
    # Set by the claim and incident pages' prefetch (claims.pages.claims.graded).
    assessments_shown: list[Assessment]

    class Kind(models.TextChoices):
        CASUALTY_COUNT = "casualty_count", "casualty count"
        TARGETING = "targeting", "targeting statement"
        RESPONSIBILITY = "responsibility", "responsibility"
        CHARACTERISATION = "characterisation", "characterisation of an actor"
        EVENT = "event", "event"
        OTHER = "other", "other"

    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"
        WITHDRAWN = "withdrawn", "withdrawn"

    speaker = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="claims_made")
    spokesperson = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="claims_voiced",
        null=True,
        blank=True,
        help_text="The person who spoke for the speaker, when known.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(
        help_text="Neutral, in the record's own words, and saying who claims it."
    )
    quote = models.TextField("verbatim quote", blank=True)
    quote_language = LanguageField(
        max_length=20, blank=True, default="en", validators=[language_code]
    )
    translation = models.TextField(blank=True, help_text="English translation of the quote.")
    made_on = DayField("date made")
    made_precision = models.CharField(
        "date precision", max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    made_as_stated = models.CharField("date as stated", max_length=200, blank=True)
    incident = models.ForeignKey(
        "claims.Incident", on_delete=models.PROTECT, related_name="claims", null=True, blank=True
    )
    targets = models.ManyToManyField(
        Actor, through="ClaimTarget", related_name="claims_about", blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    withdrawal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by the write path when the claim first becomes published: what "new" means on the
    # home page, unlike the date the claim was made.
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped by every save through the write path (claims.record); a save that read an older version
    # is refused, so two editors never silently overwrite each other.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Names the claim in datasets across databases (claims/imports.py), unlike the id.
    uid = models.UUIDField("dataset identifier", default=uuid.uuid4, unique=True, editable=False)
    # Set by claims/quotes.py: whether the quote occurs in the source document's text, and where.
    quote_check = models.CharField(
        max_length=10, choices=QuoteCheck.choices, default=QuoteCheck.UNCHECKED, editable=False
    )
    quote_anchor = models.JSONField(default=dict, blank=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-id"]
        permissions = [("publish_claim", "Can publish and withdraw claims")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""),
                name="claim_withdrawal_has_reason",
                violation_error_message="Give the reason a claim is withdrawn.",
            ),
            models.CheckConstraint(
                condition=Q(spokesperson__isnull=True) | ~Q(spokesperson=F("speaker")),
                name="claim_spokesperson_is_not_speaker",
                violation_error_message="The spokesperson is someone speaking for the speaker.",
            ),
        ]
        indexes = [
            # Timeline and home page: published claims by date, newest first, id as tiebreak.
            models.Index(fields=["status", "made_on", "id"], name="claim_status_date_idx"),
            # The same order for those who read drafts too (no status filter): their lists, and
            # their search candidates (claims.reading.search.candidates) for a common word.
            models.Index(fields=["made_on", "id"], name="claim_date_idx"),
            # Home page: the latest published claims, by when they were published.
            models.Index(fields=["status", "published_at", "id"], name="claim_published_idx"),
            # Actor page and ?speaker= filter: one speaker's claims by date, in cursor order.
            models.Index(fields=["speaker", "made_on", "id"], name="claim_speaker_date_idx"),
            # A speaker's claims counted by status from the index alone (the actor index's
            # counts), and the timeline band's passes per speaker and date (claims/reading/
            # bands.py): without the status, each count read every claim row from the table.
            models.Index(
                fields=["speaker", "status", "made_on"], name="claim_speaker_status_date_idx"
            ),
            # Incident page and ?incident= filter: one incident's published claims by date, in
            # cursor order (the whole incident, for draft readers, is one range to sort), and
            # an incident's count read from the index alone.
            models.Index(
                fields=["incident", "status", "made_on", "id"], name="claim_incident_date_idx"
            ),
        ]

    def __str__(self) -> str:
        summary = self.summary if len(self.summary) <= 80 else self.summary[:79] + "…"
        return f"{self.speaker}: {summary}"

    def get_absolute_url(self) -> str:
        return reverse("claim-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.made_on:
            self.made_on = normalise(self.made_on, self.made_precision)
        needs_translation = self.quote_language and not self.quote_language.startswith("en")
        if self.quote and needs_translation and not self.translation.strip():
            errors["translation"] = "Add an English translation of a quote not in English."
        if self.quote and not self.quote_language:
            errors["quote_language"] = "Say which language the quote is in."
        if self.status == self.Status.WITHDRAWN and not self.withdrawal_reason.strip():
            errors["withdrawal_reason"] = "Give the reason a claim is withdrawn."
        if self.spokesperson is not None and self.spokesperson.kind not in (
            Actor.Kind.PERSON,
            Actor.Kind.UNIDENTIFIED,
        ):
            errors["spokesperson"] = "A spokesperson is a person (named or unnamed)."
        if self.spokesperson_id and self.spokesperson_id == self.speaker_id:
            errors["spokesperson"] = "The spokesperson is someone speaking for the speaker."
        if errors:
            raise ValidationError(errors)

    @property
    def made_display(self) -> str:
        return describe(self.made_on, self.made_precision)

    @property
    def made_period(self) -> tuple:
        return period(self.made_on, self.made_precision)

    @property
    def standing(self) -> str:
        """The derived standing; uses the ``with_standing()`` annotation when it is there."""
        if "annotated_standing" in self.__dict__:
            return self.__dict__["annotated_standing"]
        return (
            Claim.objects.filter(pk=self.pk)
            .with_standing()
            .values_list("annotated_standing", flat=True)
            .get()
        )

    @property
    def standing_label(self) -> str:
        return Standing(self.standing).label

    @property
    def chain(self) -> list[Attribution]:
        """The attribution hops in order, from the nearest to the speaker to the last document."""
        return sorted(self.attributions.all(), key=lambda hop: hop.position)

    @property
    def source_document(self) -> Document | None:
        """The document the editor read: the last hop of the chain that has one."""
        for hop in reversed(self.chain):
            if hop.document_id:
                return hop.document
        return None

    @property
    def accused(self) -> list[Actor]:
        return [t.actor for t in self.claim_targets.all() if t.role == ClaimTarget.Role.ACCUSED]

    @property
    def subjects(self) -> list[Actor]:
        """The actors the statement is about (a characterisation's targets), not accused."""
        return [t.actor for t in self.claim_targets.all() if t.role == ClaimTarget.Role.SUBJECT]


class ClaimTarget(models.Model):
    """An actor a claim accuses, or the actor a statement is about."""

    class Role(models.TextChoices):
        ACCUSED = "accused", "accused"
        SUBJECT = "subject", "subject of the statement"

    claim = models.ForeignKey(
        "claims.Claim", on_delete=models.CASCADE, related_name="claim_targets"
    )
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="targeted_by")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.ACCUSED)

    class Meta:
        verbose_name = "accused or targeted actor"
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "actor", "role"],
                name="claim_target_unique",
                violation_error_message="This actor is already listed in this role.",
            ),
        ]
        indexes = [
            # Actor page "claims about this actor" and the ?accused= filter.
            models.Index(fields=["actor", "role"], name="claim_target_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display()})"
