"""Casualty figures: the numbers a claim gives, as ranges."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from sources.models import Actor


def category_words(category: str) -> str:
    """A category as words in a sentence, before the outcome ("people killed")."""
    if category == CasualtyFigure.Category.PEOPLE:
        return "people"
    if category == CasualtyFigure.Category.UNKNOWN:
        return "people (category not stated)"
    return str(CasualtyFigure.Category(category).label)


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
        # Statements often count people without saying who they were ("staff and patients").
        PEOPLE = "people", "people, unspecified"
        AID_WORKERS = "aid_workers", "aid workers"
        MEDICAL_STAFF = "medical_staff", "medical staff"
        JOURNALISTS = "journalists", "journalists"
        WOMEN = "women", "women"
        MEN = "men", "men"
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

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="figures")
    category = models.CharField(max_length=20, choices=Category.choices)
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
        return f"{self.range_display} {self.category_words} {self.get_outcome_display()}"

    @property
    def category_words(self) -> str:
        """The category as a sentence says it: "152 people killed", not "not stated killed"."""
        return category_words(self.category)

    def clean(self) -> None:
        """Field-by-field messages for the rules the database also enforces as constraints."""
        errors: dict[str, str] = {}
        q = self.Qualifier
        if self.qualifier == q.EXACTLY and (self.low is None) != (self.high is None):
            # An exact figure is typed once, in either box: the other follows it.
            self.low = self.high = self.low if self.low is not None else self.high
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
