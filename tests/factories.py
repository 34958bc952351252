"""factory_boy factories for every model; tests override only what their behaviour needs."""

from __future__ import annotations

import datetime as dt

import factory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.utils import timezone

from claims.models import (
    Assessment,
    Attribution,
    CasualtyFigure,
    Claim,
    ClaimTarget,
    Evidence,
    Incident,
    Response,
)
from claims.roles import sync_roles
from sources.models import Actor, Affiliation, Alias, Document


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def groups(self, create: bool, names: list[str] | None, **kwargs: object) -> None:
        if create and names:
            if Group.objects.filter(name__in=names).count() < len(set(names)):
                # A transactional test before this one emptied every table, permissions and
                # roles included: make them again as migrate would.
                for app_config in apps.get_app_configs():
                    create_permissions(app_config, verbosity=0)
                sync_roles()
            self.groups.add(*Group.objects.filter(name__in=names))
        if create:
            self.save()


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")
    kind = Actor.Kind.ORGANISATION


class AliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alias

    actor = factory.SubFactory(ActorFactory)
    name = factory.Sequence(lambda n: f"Alias {n}")
    language = "en"


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliation

    person = factory.SubFactory(ActorFactory, kind=Actor.Kind.PERSON)
    organisation = factory.SubFactory(ActorFactory)
    role = "spokesperson"


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Report number {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/report-{n}")
    publisher = factory.SubFactory(ActorFactory, kind=Actor.Kind.MEDIA_OUTLET)
    language = "en"
    published_on = dt.date(2017, 9, 26)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    slug = factory.Sequence(lambda n: f"incident-{n}")
    start_on = dt.date(2017, 9, 18)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    speaker = factory.SubFactory(ActorFactory)
    kind = Claim.Kind.OTHER
    summary = factory.LazyAttribute(lambda c: f"{c.speaker.name} says something happened.")
    made_on = dt.date(2017, 9, 26)
    status = Claim.Status.PUBLISHED
    # As the write path sets it when a claim is first published.
    published_at = factory.LazyAttribute(
        lambda c: timezone.now() if c.status != Claim.Status.DRAFT else None
    )


class ClaimTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimTarget

    claim = factory.SubFactory(ClaimFactory)
    actor = factory.SubFactory(ActorFactory)
    role = ClaimTarget.Role.ACCUSED


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CasualtyFigure

    claim = factory.SubFactory(ClaimFactory, kind=Claim.Kind.CASUALTY_COUNT)
    category = CasualtyFigure.Category.CIVILIANS
    outcome = CasualtyFigure.Outcome.KILLED
    low = 10
    high = 10
    qualifier = CasualtyFigure.Qualifier.EXACTLY


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    claim = factory.SubFactory(ClaimFactory)
    answers = factory.SubFactory(ClaimFactory)
    kind = Response.Kind.DENIES


class AttributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribution

    claim = factory.SubFactory(ClaimFactory)
    position = 1
    actor = factory.SubFactory(ActorFactory)
    verb = Attribution.Verb.REPORTED


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    relation = Evidence.Relation.CITED_BY_SPEAKER
    kind = Evidence.Kind.VIDEO
    description = "Footage the speaker refers to."
    availability = Evidence.Availability.NOT_PRODUCED


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    claim = factory.SubFactory(ClaimFactory)
    analyst = factory.SubFactory(UserFactory)
    rating = Assessment.Rating.UNPROVEN
    status = Assessment.Status.PUBLISHED
    rationale = "No footage or list of names has been produced."
