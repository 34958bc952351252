"""How claims connect: responses between claims, and the attribution chain to a document."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q

from sources.models import Actor, Document


class Response(models.Model):
    """The allegation <-> answer link: ``claim`` answers ``answers`` in the way ``kind`` says."""

    class Kind(models.TextChoices):
        DENIES = "denies", "denies"
        DISPUTES = "disputes", "disputes"
        REBUTS = "rebuts", "rebuts"
        ATTACKS_CREDIBILITY = "attacks_credibility", "attacks the credibility of"
        CORRECTS = "corrects", "corrects"
        # A speaker's newer figure or account of what it said before: no challenge, no support.
        UPDATES = "updates", "gives an updated figure or account of"
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
    # From the answered claim's own speaker these mean it has moved on from the claim
    # (standing "superseded"); ``corrects`` from anyone else is a challenge.
    REVISING = (Kind.CORRECTS, Kind.UPDATES)
    # Only the answered claim's own speaker may answer in these ways (``clean``).
    OWN_SPEAKER_ONLY: dict[str, str] = {
        Kind.RETRACTS: "Only the speaker of a claim can retract it; use another kind.",
        Kind.UPDATES: (
            "Only the speaker of a claim can give an updated figure or account of it;"
            " another party's figure corrects or disputes it."
        ),
    }

    claim = models.ForeignKey(
        "claims.Claim",
        on_delete=models.CASCADE,
        related_name="responses_made",
        help_text="The claim that answers.",
    )
    answers = models.ForeignKey(
        "claims.Claim",
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
        if self.kind in self.OWN_SPEAKER_ONLY and claim.speaker_id != answers.speaker_id:
            raise ValidationError({"kind": self.OWN_SPEAKER_ONLY[self.kind]})
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

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="attributions")
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
        where = f" in {self.document.title}" if self.document is not None else ""
        return f"{self.position}. {self.actor} {self.get_verb_display()}{where}"

    def clean(self) -> None:
        if self.position is not None and self.position < 1:
            raise ValidationError({"position": "Positions start at 1."})
