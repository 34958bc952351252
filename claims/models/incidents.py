"""Incidents: the events claims are about."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from claims.models.figures import CasualtyFigure
from claims.models.statements import Claim
from claimtracker.dates import DayField, Precision, describe, normalise
from sources.codes import CountryField
from sources.models import country_code, wikidata_id

# The conflict datasets' own event identifiers: UCDP GED numbers its events (``id``: 244657);
# ACLED's ``event_id_cnty`` is the country's ISO 3166 alpha-3 code and a number (SYR84051).
ucdp_id = RegexValidator(r"^[1-9][0-9]{0,11}$", "A UCDP GED event id is a number, such as 244657.")
acled_id = RegexValidator(
    r"^[A-Z]{3}[0-9]{1,10}$",
    "An ACLED event id is a country's three-letter code and a number, such as SYR84051.",
)


class LocationPrecision(models.TextChoices):
    """How closely an incident's coordinates place it, from the spot itself to the whole country.

    The steps follow the conflict datasets' own codes, so exports can name them: UCDP GED's
    ``where_prec`` 1 (site, place), 2 (near), 3 (district), 4 (province), 6 (country), and ACLED's
    ``geo_precision`` 1 (site, place), 2 (near, district), 3 (province, country).
    """

    SITE = "site", "the spot itself"
    PLACE = "place", "the named town or village"
    NEAR = "near", "near the named place (within about 25 km)"
    DISTRICT = "district", "somewhere in the district"
    PROVINCE = "province", "somewhere in the province or region"
    COUNTRY = "country", "somewhere in the country"


class Incident(models.Model):
    """An event that claims are about, with loosely stated start and end dates."""

    title = models.CharField(
        max_length=300,
        help_text="Neutral wording that names the event, place and time without taking any "
        "party's account of it: “Fighting near Hama, September 2017”, not one side's version "
        "(“Attack on … troops”, “Massacre in …”).",
    )
    slug = models.SlugField(max_length=320, unique=True)
    description = models.TextField(blank=True)
    place = models.CharField(max_length=200, blank=True)
    region = models.CharField(max_length=200, blank=True)
    country = CountryField(max_length=2, blank=True, validators=[country_code])
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    location_precision = models.CharField(
        max_length=8,
        choices=LocationPrecision.choices,
        default=LocationPrecision.PLACE,
        help_text="What the coordinates stand for: most sources name a town or area, not a spot.",
    )
    start_on = DayField(null=True, blank=True)
    start_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    start_as_stated = models.CharField("start as stated", max_length=200, blank=True)
    end_on = DayField(null=True, blank=True)
    end_precision = models.CharField(max_length=5, choices=Precision.choices, default=Precision.DAY)
    end_as_stated = models.CharField("end as stated", max_length=200, blank=True)
    # Where the conflict datasets and Wikidata hold the same event, so studies can join them.
    acled_id = models.CharField(
        "ACLED event id",
        max_length=13,
        blank=True,
        validators=[acled_id],
        help_text="ACLED's event_id_cnty of the same event, such as SYR84051.",
    )
    ucdp_id = models.CharField(
        "UCDP GED event id",
        max_length=12,
        blank=True,
        validators=[ucdp_id],
        help_text="The id of the same event in UCDP's Georeferenced Event Dataset.",
    )
    wikidata_id = models.CharField(
        "Wikidata ID", max_length=20, blank=True, validators=[wikidata_id]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_on", "title"]
        # The incident index's order (claims.pages.indexes): each page walks this index,
        # backwards, for the dated incidents, and the primary key for the undated ones.
        indexes = [models.Index(fields=["start_on", "id"], name="incident_start_idx")]
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
