"""What was asserted, answered and shown: incidents, claims, figures, responses, attributions,
evidence and assessments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.urls import reverse

from claimtracker.dates import Precision, describe, normalise, period
from sources.models import Actor, Document, country_code, language_code, sha256_hex


class Incident(models.Model):
    """An event that claims are about, with loosely stated start and end dates."""

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=320, unique=True)
    description = models.TextField(blank=True)
    place = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True, validators=[country_code])
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    start_on = models.DateField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    start_as_stated = models.CharField("start as stated", max_length=200, blank=True)
    end_on = models.DateField(null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    end_as_stated = models.CharField("end as stated", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(start_on__lte=F("end_on")),
                name="incident_starts_before_it_ends",
                violation_error_message="An incident cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="incident_latitude_in_range",
                violation_error_message="Latitude must lie between -90 and 90.",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="incident_longitude_in_range",
                violation_error_message="Longitude must lie between -180 and 180.",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_coordinates_come_in_pairs",
                violation_error_message="Give both latitude and longitude, or neither.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incident-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_on:
            self.start_on = normalise(self.start_on, self.start_precision)
        if self.end_on:
            self.end_on = normalise(self.end_on, self.end_precision)
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "An incident cannot end before it starts."
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude" if self.longitude is None else "latitude"] = (
                "Give both latitude and longitude, or neither."
            )
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = "Latitude must lie between -90 and 90."
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = "Longitude must lie between -180 and 180."
        if errors:
            raise ValidationError(errors)

    @property
    def start_display(self) -> str:
        return describe(self.start_on, self.start_precision)

    @property
    def end_display(self) -> str:
        return describe(self.end_on, self.end_precision)

    def figure_spread(self) -> models.QuerySet[CasualtyFigure]:
        """Every casualty figure published claims give for this incident, by whom, in date order."""
        return CasualtyFigure.objects.filter(
            claim__incident=self, claim__status=Claim.Status.PUBLISHED
        ).in_date_order()


class Standing(models.TextChoices):
    """Where a claim stands given the published responses to it; derived, never typed in."""

    UNANSWERED = "unanswered", "unanswered"
    DENIED = "denied", "denied"
    DISPUTED = "disputed", "disputed"
    CORROBORATED = "corroborated", "corroborated"
    RETRACTED = "retracted", "retracted by its speaker"
    CONTESTED = "contested", "contested (both challenged and corroborated)"


class ClaimQuerySet(models.QuerySet):
    def published(self) -> ClaimQuerySet:
        return self.filter(status=Claim.Status.PUBLISHED)

    def public(self) -> ClaimQuerySet:
        """What anyone may read at its URL: published claims, and withdrawn ones with notice."""
        return self.filter(status__in=[Claim.Status.PUBLISHED, Claim.Status.WITHDRAWN])

    def visible_to(self, user: settings.AUTH_USER_MODEL | None) -> ClaimQuerySet:
        if user is not None and user.is_authenticated and user.has_perm("claims.view_claim"):
            return self
        return self.public()

    def with_standing(self) -> ClaimQuerySet:
        """Annotate ``annotated_standing``: the one definition of standing, in SQL.

        Only published responses count. A retraction counts only when it comes from the
        speaker of the claim, and corroboration only when it comes from someone else.
        """
        answers = Response.objects.filter(
            answers=OuterRef("pk"), claim__status=Claim.Status.PUBLISHED
        )
        retracted = Exists(
            answers.filter(kind=Response.Kind.RETRACTS, claim__speaker=OuterRef("speaker"))
        )
        denied = Exists(answers.filter(kind=Response.Kind.DENIES))
        challenged = Exists(answers.filter(kind__in=Response.CHALLENGING))
        supported = Exists(
            answers.filter(kind__in=Response.SUPPORTING).exclude(claim__speaker=OuterRef("speaker"))
        )
        return self.annotate(
            annotated_standing=Case(
                When(retracted, then=Value(Standing.RETRACTED)),
                When(challenged & supported, then=Value(Standing.CONTESTED)),
                When(denied, then=Value(Standing.DENIED)),
                When(challenged, then=Value(Standing.DISPUTED)),
                When(supported, then=Value(Standing.CORROBORATED)),
                default=Value(Standing.UNANSWERED),
                output_field=models.CharField(),
            )
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
    quote_language = models.CharField(
        max_length=20, blank=True, default="en", validators=[language_code]
    )
    translation = models.TextField(blank=True, help_text="English translation of the quote.")
    made_on = models.DateField("date made")
    made_precision = models.CharField(
        "date precision", max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    made_as_stated = models.CharField("date as stated", max_length=200, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="claims", null=True, blank=True
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

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-made_on", "-id"]
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
            # Actor page and ?speaker= filter: one speaker's claims by date.
            models.Index(fields=["speaker", "made_on"], name="claim_speaker_date_idx"),
            # Incident page and ?incident= filter: one incident's claims by date.
            models.Index(fields=["incident", "made_on"], name="claim_incident_date_idx"),
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
        if self.spokesperson_id and self.spokesperson.kind not in (
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


class ClaimTarget(models.Model):
    """An actor a claim accuses, or the actor a statement is about."""

    class Role(models.TextChoices):
        ACCUSED = "accused", "accused"
        SUBJECT = "subject", "subject of the statement"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="claim_targets")
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


class CasualtyFigureQuerySet(models.QuerySet):
    def in_date_order(self) -> CasualtyFigureQuerySet:
        return self.select_related("claim__speaker", "reported_by").order_by(
            "claim__made_on", "claim_id", "id"
        )


class CasualtyFigure(models.Model):
    """A number of people a claim says were killed, injured or missing, as a low–high range.

    Open-ended figures keep the open end empty: "more than 150" is low 150, no high, qualifier
    *more than*; "up to 40" is no low, high 40.
    """

    class Category(models.TextChoices):
        CIVILIANS = "civilians", "civilians"
        CHILDREN = "children", "children"
        COMBATANTS = "combatants", "combatants"
        MILITARY = "military", "military personnel"
        UNKNOWN = "unknown", "not stated"

    class Outcome(models.TextChoices):
        KILLED = "killed", "killed"
        INJURED = "injured", "injured"
        MISSING = "missing", "missing"

    class Qualifier(models.TextChoices):
        EXACTLY = "exactly", "exactly"
        AT_LEAST = "at_least", "at least"
        MORE_THAN = "more_than", "more than"
        UP_TO = "up_to", "up to"
        ABOUT = "about", "about"
        BETWEEN = "between", "between"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="figures")
    category = models.CharField(max_length=12, choices=Category.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    low = models.IntegerField(null=True, blank=True)
    high = models.IntegerField(null=True, blank=True)
    qualifier = models.CharField(max_length=10, choices=Qualifier.choices)
    as_stated = models.CharField(
        "words as stated", max_length=200, blank=True, help_text='For example "over 150".'
    )
    basis = models.CharField(max_length=200, blank=True, help_text='e.g. "bodies recovered"')
    reported_by = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="figures_worded",
        null=True,
        blank=True,
        help_text="Who put the figure in these words, when it is a relay's paraphrase.",
    )

    objects = CasualtyFigureQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(low__gte=0),
                name="figure_low_not_negative",
                violation_error_message="A casualty figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(high__isnull=True) | Q(high__gte=0),
                name="figure_high_not_negative",
                violation_error_message="A casualty figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=True) | Q(high__isnull=True) | Q(low__lte=F("high")),
                name="figure_low_at_most_high",
                violation_error_message="The low figure cannot be above the high figure.",
            ),
            models.CheckConstraint(
                condition=Q(low__isnull=False) | Q(high__isnull=False),
                name="figure_has_a_number",
                violation_error_message="Give a low figure, a high figure, or both.",
            ),
            models.CheckConstraint(
                condition=~Q(qualifier="exactly") | Q(low=F("high")),
                name="figure_exact_is_one_number",
                violation_error_message="An exact figure has the same low and high.",
            ),
            models.CheckConstraint(
                condition=~Q(qualifier__in=["at_least", "more_than"])
                | Q(low__isnull=False, high__isnull=True),
                name="figure_lower_bound_is_open_ended",
                violation_error_message='"At least" and "more than" give a low and no high.',
            ),
            models.CheckConstraint(
                condition=~Q(qualifier="up_to") | Q(low__isnull=True, high__isnull=False),
                name="figure_upper_bound_has_no_low",
                violation_error_message='"Up to" gives a high and no low.',
            ),
        ]

    def __str__(self) -> str:
        return f"{self.range_display} {self.get_category_display()} {self.get_outcome_display()}"

    def clean(self) -> None:
        """Field-by-field messages for the rules the database also enforces as constraints."""
        errors: dict[str, str] = {}
        q = self.Qualifier
        if self.low is not None and self.low < 0:
            errors["low"] = "A casualty figure cannot be negative."
        if self.high is not None and self.high < 0:
            errors["high"] = "A casualty figure cannot be negative."
        if self.low is None and self.high is None:
            errors["low"] = "Give a low figure, a high figure, or both."
        elif self.qualifier == q.EXACTLY and self.low != self.high:
            errors["high"] = "An exact figure has the same low and high."
        elif self.qualifier in (q.AT_LEAST, q.MORE_THAN) and (
            self.low is None or self.high is not None
        ):
            errors["high"] = '"At least" and "more than" give a low and no high.'
        elif self.qualifier == q.UP_TO and (self.low is not None or self.high is None):
            errors["low"] = '"Up to" gives a high and no low.'
        elif self.low is not None and self.high is not None and self.low > self.high:
            errors["high"] = "The low figure cannot be above the high figure."
        if errors:
            raise ValidationError(errors)

    @property
    def range_display(self) -> str:
        q = self.Qualifier
        if self.qualifier == q.EXACTLY:
            return f"{self.low}"
        if self.qualifier in (q.AT_LEAST, q.MORE_THAN):
            return f"{self.get_qualifier_display()} {self.low}"
        if self.qualifier == q.UP_TO:
            return f"up to {self.high}"
        if self.low == self.high or self.high is None or self.low is None:
            number = self.low if self.low is not None else self.high
            return f"{self.get_qualifier_display()} {number}"
        return f"{self.get_qualifier_display()} {self.low}–{self.high}"

    @property
    def is_open_ended(self) -> bool:
        return self.high is None


class Response(models.Model):
    """The allegation <-> answer link: ``claim`` answers ``answers`` in the way ``kind`` says."""

    class Kind(models.TextChoices):
        DENIES = "denies", "denies"
        DISPUTES = "disputes", "disputes"
        REBUTS = "rebuts", "rebuts"
        ATTACKS_CREDIBILITY = "attacks_credibility", "attacks the credibility of"
        CORRECTS = "corrects", "corrects"
        RETRACTS = "retracts", "retracts"
        CONFIRMS = "confirms", "confirms"
        CORROBORATES = "corroborates", "corroborates"

    CHALLENGING = (
        Kind.DENIES,
        Kind.DISPUTES,
        Kind.REBUTS,
        Kind.ATTACKS_CREDIBILITY,
        Kind.CORRECTS,
    )
    SUPPORTING = (Kind.CONFIRMS, Kind.CORROBORATES)

    claim = models.ForeignKey(
        Claim,
        on_delete=models.CASCADE,
        related_name="responses_made",
        help_text="The claim that answers.",
    )
    answers = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        related_name="responses_received",
        help_text="The claim being answered.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(claim=F("answers")),
                name="response_not_to_itself",
                violation_error_message="A claim cannot respond to itself.",
            ),
            models.UniqueConstraint(
                fields=["claim", "answers", "kind"],
                name="response_unique_per_kind",
                violation_error_message="This claim already answers that claim in this way.",
            ),
        ]
        indexes = [
            # Standing and thread look-ups: the responses a claim received, by kind.
            models.Index(fields=["answers", "kind"], name="response_answers_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.claim.speaker} {self.get_kind_display()} a claim by {self.answers.speaker}"

    def clean(self) -> None:
        # In an admin inline the answering claim may not be saved yet: compare the objects.
        try:
            claim, answers = self.claim, self.answers
        except ObjectDoesNotExist:
            return
        if claim.pk is not None and claim.pk == answers.pk:
            raise ValidationError({"answers": "A claim cannot respond to itself."})
        if self.kind == self.Kind.RETRACTS and claim.speaker_id != answers.speaker_id:
            raise ValidationError(
                {"kind": "Only the speaker of a claim can retract it; use another kind."}
            )
        if not (claim.made_on and answers.made_on):
            return
        answered_start, _ = answers.made_period
        _, response_end = claim.made_period
        if response_end < answered_start:
            raise ValidationError(
                {"answers": "The answering claim is dated before the claim it answers."}
            )


class Attribution(models.Model):
    """One hop of how the record knows a claim was made; the last hop is the document read."""

    class Verb(models.TextChoices):
        SAID = "said", "said"
        CITED = "cited", "cited"
        QUOTED = "quoted", "quoted"
        REPORTED = "reported", "reported"
        PUBLISHED = "published", "published"
        RELAYED = "relayed", "relayed"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="attributions")
    position = models.PositiveSmallIntegerField(help_text="1 is the hop nearest the speaker.")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="attributions")
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="attributions", null=True, blank=True
    )
    verb = models.CharField(max_length=10, choices=Verb.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["claim", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "position"],
                name="attribution_position_unique",
                violation_error_message="Each hop of a chain needs its own position.",
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="attribution_position_from_one",
                violation_error_message="Positions start at 1.",
            ),
        ]
        indexes = [
            # Document page: the claims quoted from one document.
            models.Index(fields=["document", "claim"], name="attribution_document_idx"),
        ]

    def __str__(self) -> str:
        where = f" in {self.document.title}" if self.document_id else ""
        return f"{self.position}. {self.actor} {self.get_verb_display()}{where}"

    def clean(self) -> None:
        if self.position is not None and self.position < 1:
            raise ValidationError({"position": "Positions start at 1."})


class Evidence(models.Model):
    """What is offered for or against a claim: by its speaker, or attached by an analyst."""

    class Relation(models.TextChoices):
        CITED_BY_SPEAKER = "cited", "cited by the speaker"
        SUPPORTING = "supporting", "supporting (attached by an analyst)"
        CONTRADICTING = "contradicting", "contradicting (attached by an analyst)"

    class Kind(models.TextChoices):
        VIDEO = "video", "video"
        PHOTO = "photo", "photo"
        SATELLITE = "satellite", "satellite image"
        DOCUMENT = "document", "document"
        TESTIMONY = "testimony", "testimony"
        INTELLIGENCE = "intelligence", "intelligence"
        STATISTICS = "statistics", "statistics"

    class Availability(models.TextChoices):
        PUBLISHED = "published", "published"
        NOT_PRODUCED = "not_produced", "asserted but not produced"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    relation = models.CharField(max_length=13, choices=Relation.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField()
    url = models.URLField("URL", max_length=2000, blank=True)
    availability = models.CharField(max_length=12, choices=Availability.choices)
    archive_file = models.FileField(upload_to="archive/evidence/", blank=True)
    archive_sha256 = models.CharField(
        "archive SHA-256", max_length=64, blank=True, validators=[sha256_hex]
    )
    archive_status = models.CharField(
        max_length=10, choices=Document.ArchiveStatus.choices, default=Document.ArchiveStatus.NONE
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(availability="not_produced") | Q(url=""),
                name="evidence_not_produced_has_no_url",
                violation_error_message=(
                    "Evidence with a URL has been produced; choose availability 'published'."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:60]}"

    def clean(self) -> None:
        if self.availability == self.Availability.NOT_PRODUCED and self.url:
            raise ValidationError(
                {
                    "availability": (
                        "Evidence with a URL has been produced; choose availability 'published'."
                    )
                }
            )

    @property
    def is_produced(self) -> bool:
        return self.availability == self.Availability.PUBLISHED


class Assessment(models.Model):
    """An analyst's grading of a claim, with the reasons; exportable as a ClaimReview rating."""

    class Rating(models.TextChoices):
        SUPPORTED = "supported", "supported by the evidence"
        PARTLY_SUPPORTED = "partly_supported", "partly supported"
        UNPROVEN = "unproven", "unproven"
        MISLEADING = "misleading", "misleading"
        CONTRADICTED = "contradicted", "contradicted by the evidence"

    # ClaimReview ratings run from worst (1) to best (5).
    RATING_VALUES = {
        Rating.CONTRADICTED: 1,
        Rating.MISLEADING: 2,
        Rating.UNPROVEN: 3,
        Rating.PARTLY_SUPPORTED: 4,
        Rating.SUPPORTED: 5,
    }

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="assessments")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    rating = models.CharField(max_length=20, choices=Rating.choices)
    rationale = models.TextField()
    confidence = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (low) to 5 (high).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=1, confidence__lte=5),
                name="assessment_confidence_1_to_5",
                violation_error_message="Confidence runs from 1 to 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} — {self.analyst}"

    @property
    def rating_value(self) -> int:
        return self.RATING_VALUES[self.Rating(self.rating)]
