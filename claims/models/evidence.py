"""Evidence offered for or against claims, and analysts' assessments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from sources.models import ArchivedCopy, web_address


class Evidence(ArchivedCopy):
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

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="evidence")
    relation = models.CharField(max_length=13, choices=Relation.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    description = models.TextField()
    url = models.URLField("URL", max_length=2000, blank=True, validators=[web_address])
    availability = models.CharField(max_length=12, choices=Availability.choices)
    archive_file = models.FileField(upload_to="archive/evidence/", blank=True)

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


class AssessmentQuerySet(models.QuerySet):
    def published(self) -> AssessmentQuerySet:
        """Gradings anyone may read: the pages and the ClaimReview export show these alone."""
        return self.filter(status=Assessment.Status.PUBLISHED)


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

    class Status(models.TextChoices):
        DRAFT = "draft", "draft (only analysts, editors and reviewers see it)"
        PUBLISHED = "published", "published"

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="assessments")
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
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text="A draft grading is not shown on the claim and incident pages or exports.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the write path when first published: a ClaimReview's datePublished.
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AssessmentQuerySet.as_manager()

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
