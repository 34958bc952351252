"""Who speaks and where it was said: actors, their aliases and affiliations, and documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from claimtracker.dates import DayField, Precision, describe, normalise
from sources.codes import CountryField, LanguageField

language_code = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    "Use a language code such as en, ar, ru or pt-BR.",
)
country_code = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter ISO 3166 country code such as SY.")
wikidata_id = RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata identifier looks like Q42.")
doi = RegexValidator(
    r"^10\.[0-9]{4,9}/\S+$", "A DOI looks like 10.1000/xyz123, without https://doi.org/."
)
sha256_hex = RegexValidator(r"^[0-9a-f]{64}$", "A SHA-256 is 64 lower-case hexadecimal digits.")


@deconstructible
class WebAddressValidator(URLValidator):
    """A web address the archiver can fetch: http or https, and a port that exists.

    Django's URL check also takes ftp:// and any five-digit port; the fetcher would refuse those
    only later, on a worker, so every door (admin, API, import) refuses them here instead.
    """

    schemes = ["http", "https"]

    def __call__(self, value: str) -> None:
        # Codes of their own: a form replaces "invalid" with its generic "Enter a valid URL."
        if value.partition("://")[0].lower() not in self.schemes:
            raise ValidationError(
                "Give a web address starting with http:// or https://.", code="invalid_scheme"
            )
        super().__call__(value)
        try:
            port = urlsplit(value).port
        except ValueError:
            port = 0
        if port is not None and not 1 <= port <= 65535:
            raise ValidationError("A port must be between 1 and 65535.", code="invalid_port")


web_address = WebAddressValidator()


class ActorQuerySet(models.QuerySet):
    def matching(self, text: str) -> ActorQuerySet:
        """Actors whose name or any alias contains ``text`` (case-insensitive)."""
        text = text.strip()
        if not text:
            return self.none()
        # One sub-query of two trigram-index look-ups (claims/migrations/0003): an OR of the
        # name test and an alias sub-query would be planned as a scan of every actor.
        by_name = Actor.objects.filter(name__icontains=text).order_by().values("pk")
        by_alias = Alias.objects.filter(name__icontains=text).order_by().values("actor_id")
        return self.filter(pk__in=by_name.union(by_alias))

    def named(self, name: str) -> ActorQuerySet:
        """Actors called exactly ``name`` (ignoring case), by their name or by an alias."""
        hits = Alias.objects.filter(name__iexact=name.strip()).values("actor_id")
        return self.filter(Q(name__iexact=name.strip()) | Q(pk__in=hits))


class Actor(models.Model):
    """An organisation, state body, armed group, media outlet, news agency or person."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "organisation"
        STATE_BODY = "state_body", "state body"
        STATE = "state", "state"
        ARMED_GROUP = "armed_group", "armed group"
        MEDIA_OUTLET = "media_outlet", "media outlet"
        NEWS_AGENCY = "news_agency", "news agency"
        PERSON = "person", "person"
        # Sources a text names only vaguely ("critics", "activists"): kept visibly weak.
        UNIDENTIFIED = "unidentified", "unidentified source"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = CountryField(max_length=2, blank=True, validators=[country_code])
    description = models.TextField(blank=True)
    wikidata_id = models.CharField(
        "Wikidata ID", max_length=20, blank=True, validators=[wikidata_id]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            # Serves alias-or-name look-ups and the admin autocomplete ordered by name.
            models.Index(Lower("name"), name="actor_name_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("actor-detail", kwargs={"slug": self.slug})

    @property
    def is_unidentified(self) -> bool:
        return self.kind == self.Kind.UNIDENTIFIED


class Alias(models.Model):
    """Another name of an actor in some language; look-ups by any alias find the actor."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    language = LanguageField(max_length=20, blank=True, validators=[language_code])

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "actor",
                Lower("name"),
                "language",
                name="alias_unique_per_actor_and_language",
                violation_error_message="This actor already has this alias in this language.",
            ),
        ]
        indexes = [
            # Serves ActorQuerySet.named(): WHERE lower(name) = lower(%s).
            models.Index(Lower("name"), name="alias_name_lower_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})" if self.language else self.name


class Affiliation(models.Model):
    """A person's role in an organisation, with the dates it is known to have held."""

    person = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="members")
    role = models.CharField(max_length=200)
    start_on = DayField(null=True, blank=True)
    end_on = DayField(null=True, blank=True)

    class Meta:
        ordering = ["-start_on", "role"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=models.F("organisation")),
                name="affiliation_person_is_not_organisation",
                violation_error_message="A person cannot be affiliated with themselves.",
            ),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(start_on__lte=models.F("end_on")),
                name="affiliation_starts_before_it_ends",
                violation_error_message="An affiliation cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.role}, {self.organisation}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.person_id and self.person.kind != Actor.Kind.PERSON:
            errors["person"] = "Only a person can hold a role in an organisation."
        if self.person_id and self.person_id == self.organisation_id:
            errors["organisation"] = "A person cannot be affiliated with themselves."
        if self.start_on and self.end_on and self.end_on < self.start_on:
            errors["end_on"] = "An affiliation cannot end before it starts."
        if errors:
            raise ValidationError(errors)


class ArchiveStatus(models.TextChoices):
    NONE = "none", "not archived"
    PENDING = "pending", "pending"
    ARCHIVED = "archived", "archived"
    FAILED = "failed", "failed"
    BLOCKED = "blocked", "blocked"
    # The stored bytes no longer hash to archive_sha256 (found by the periodic check).
    MISMATCH = "mismatch", "stored copy altered"


class ArchivedCopy(models.Model):
    """What the archiver (sources/archiving.py) records of a fetched URL; shared by documents and
    evidence. Each subclass declares its own ``archive_file``."""

    ArchiveStatus = ArchiveStatus

    # Written by the archiver only (never by a form or a write of the record), so a save of the
    # row never carries a stale copy of them back over the archiver's result.
    archive_sha256 = models.CharField(
        "archive SHA-256", max_length=64, blank=True, validators=[sha256_hex], editable=False
    )
    archive_status = models.CharField(
        max_length=10, choices=ArchiveStatus.choices, default=ArchiveStatus.NONE, editable=False
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archive_size = models.PositiveBigIntegerField(
        "archived bytes", null=True, blank=True, editable=False
    )
    archive_content_type = models.CharField(max_length=200, blank=True, editable=False)
    archive_final_url = models.TextField("final URL after redirects", blank=True, editable=False)
    archive_http_status = models.PositiveSmallIntegerField(
        "HTTP status", null=True, blank=True, editable=False
    )
    archive_error = models.TextField(
        "why the archive failed or was blocked", blank=True, editable=False
    )
    archive_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    archive_verified_at = models.DateTimeField(
        "bytes last re-hashed", null=True, blank=True, editable=False
    )

    class Meta:
        abstract = True


class Document(ArchivedCopy):
    """A publication in which statements appear: article, press release, video, post…"""

    class Kind(models.TextChoices):
        ARTICLE = "article", "article"
        PRESS_RELEASE = "press_release", "press release"
        VIDEO = "video", "video"
        SOCIAL_POST = "social_post", "social media post"
        REPORT = "report", "report"
        TRANSCRIPT = "transcript", "transcript"

    title = models.CharField(max_length=500)
    url = models.URLField("URL", max_length=2000, blank=True, validators=[web_address])
    publisher = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    language = LanguageField(max_length=20, validators=[language_code])
    published_on = DayField(null=True, blank=True)
    published_precision = models.CharField(
        max_length=5, choices=Precision.choices, default=Precision.DAY
    )
    full_text = models.TextField(blank=True)
    # Identifiers others know the publication by (an archived copy is ours, not an id).
    wikidata_id = models.CharField(
        "Wikidata ID", max_length=20, blank=True, validators=[wikidata_id]
    )
    doi = models.CharField(
        "DOI", max_length=200, blank=True, validators=[doi], help_text="For reports and papers."
    )
    archive_file = models.FileField(upload_to="archive/documents/", blank=True)
    # Names the document in datasets across databases (claims/imports.py), unlike the id.
    uid = models.UUIDField("dataset identifier", default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [
            # Serves a publisher's documents newest first (actor page, API filter).
            models.Index(fields=["publisher", "-published_on"], name="document_publisher_date_idx"),
            # Serves search candidates in list order (claims.reading.search): for a common
            # title word PostgreSQL walks this instead of sorting every match.
            models.Index(fields=["-published_on", "title", "id"], name="document_list_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher})"

    def get_absolute_url(self) -> str:
        return reverse("document-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.published_on:
            self.published_on = normalise(self.published_on, self.published_precision)

    @property
    def published_display(self) -> str:
        return describe(self.published_on, self.published_precision)


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        """Tokens that still authenticate: not revoked and not past their expiry."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A secret a tool sends as ``Authorization: Token …``; only its SHA-256 is stored.

    The secret has 256 random bits, so an unsalted digest is as good as a password hash here
    and lets authentication find the token with one indexed look-up.
    """

    PREFIX = "ct_"
    DEFAULT_LIFETIME = dt.timedelta(days=90)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. a tool's name.")
    # The first characters of the secret, shown so a token can be recognised and revoked.
    key_prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField("SHA-256 of the secret", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.name}, {self.user})"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(
        cls, *, user: User, name: str, lifetime: dt.timedelta | None = None
    ) -> tuple[ApiToken, str]:
        """Create a token and return it with its secret, which is shown once and never stored."""
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls(
            user=user,
            name=name,
            key_prefix=secret[: len(cls.PREFIX) + 6],
            digest=cls.digest_of(secret),
            expires_at=timezone.now() + (lifetime or cls.DEFAULT_LIFETIME),
        )
        token.full_clean()
        token.save()
        return token, secret

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class ArchiveCheck(models.Model):
    """One run of a periodic archive job, with its counts, so editors see them in the admin."""

    class Job(models.TextChoices):
        VERIFY = "verify", "re-hash archived files"
        RETRY = "retry", "retry failed archives"

    job = models.CharField(max_length=10, choices=Job.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    intact = models.PositiveIntegerField(default=0)
    mismatched = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField("stored file missing", default=0)
    queued = models.PositiveIntegerField("queued again", default=0)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.get_job_display()} at {self.started_at:%Y-%m-%d %H:%M}"
