"""What a reader may see of the record: the one rule pages, API views, filters and search apply.

Readers of drafts (``reads_drafts``: analysts, editors, reviewers, administrators) see every row.
Everyone else sees claims as ``Claim.objects.visible_to`` (at their URL) and ``listed_for`` (in
lists) say, and the rows around claims only when a public claim (published or withdrawn,
``Claim.objects.public()``) uses them:

- an actor, when a public claim has it as speaker, spokesperson, accused or subject, as the actor
  of a hop of its attribution chain or as the one who worded a figure (``reported_by``), or when
  it published a visible document;
- a document, when it is the document of a hop of a public claim's attribution chain;
- an incident, when a public claim is about it;
- an affiliation, when both its person and its organisation are visible;
- a response, when both its claims are listed for the reader;
- evidence, when its claim is visible to the reader (and, in lists, listed for the reader);
- an assessment, when it is published (a draft grading is for draft readers alone) and its claim
  is visible to the reader.

So an actor, incident or document made for a draft (even from an admin pop-up for a claim then
abandoned) is, to the public, exactly as if it did not exist until a claim using it is published:
its page and API detail answer 404 as for an unknown key, and a filter naming it answers as for
an unknown one.

Actors, affiliations, responses, evidence and assessments: nothing is stored. Each rule is
EXISTS sub-queries over the public claims, correlated on the row, so it goes into the caller's own
query (no query of its own) and PostgreSQL probes one index per use for each row it reads
(``claim_speaker_date_idx``, ``claim_target_actor_idx``, ``document_publisher_date_idx`` and the
foreign-key indexes of spokesperson, hop actor and ``reported_by``) — a list with a LIMIT stops
probing once its page is full.

Documents and incidents: on PostgreSQL, each row keeps how many public claims use it
(``public_uses``, claims/migrations/0029_public_uses.py, kept by triggers on claims and
attributions whatever writes), so the rule is a test of the row itself: search walking a word's
matches in list order no longer probes attributions and claims for each. On SQLite the rule is
the EXISTS sub-query the count stands for. The functions return querysets to filter, order and
eager-load further.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest

from claims.models import Assessment, Claim, Evidence, Incident, Reader, Response, reads_drafts
from sources.models import Actor, Affiliation, Document

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

# Who reads: a signed-in user, the anonymous one, or None where no request is at hand.
User = Reader


def reader_of(request: HttpRequest | None) -> User:
    """The user a request reads as; where there is no request (a filter built without one),
    the public."""
    return getattr(request, "user", None)


def _used_by_a_public_claim(**lookup: OuterRef) -> Exists:
    return Exists(Claim.objects.public().filter(**lookup))


class _PubliclyUsed(models.Expression):
    """Whether the row of the query's own table is used by a public claim: its kept count on
    PostgreSQL; on SQLite, the EXISTS sub-query the count stands for, from ``uses`` (built only
    there: on PostgreSQL it cost a sub-query's building and resolving for nothing)."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, uses: Callable[[], Exists]) -> None:
        super().__init__()
        self.uses = uses

    def as_sql(  # type: ignore[override]
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[str]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.public_uses > 0", []

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, list[str]]:
        exists = self.uses().resolve_expression(compiler.query)
        return compiler.compile(exists)  # type: ignore[return-value]


def _actor_is_public(ref: str = "pk") -> Q:
    """Whether the actor whose id is the outer query's ``ref`` is used by a public claim.

    ORed EXISTS tests cannot become one join, so PostgreSQL runs them as sub-plans in this
    order, stopping at the first that holds: the commonest use (speaker) goes first.
    """
    actor = OuterRef(ref)
    return (
        _used_by_a_public_claim(speaker=actor)
        | _used_by_a_public_claim(spokesperson=actor)
        | _used_by_a_public_claim(claim_targets__actor=actor)
        | _used_by_a_public_claim(attributions__actor=actor)
        | _used_by_a_public_claim(figures__reported_by=actor)
        | _used_by_a_public_claim(attributions__document__publisher=actor)
    )


def actors_visible_to(user: User) -> QuerySet[Actor]:
    """Actors ``user`` may see (see the module's rule)."""
    if reads_drafts(user):
        return Actor.objects.all()
    return Actor.objects.filter(_actor_is_public())


def documents_visible_to(user: User) -> QuerySet[Document]:
    """Documents ``user`` may see (see the module's rule)."""
    if reads_drafts(user):
        return Document.objects.all()
    uses = partial(_used_by_a_public_claim, attributions__document=OuterRef("pk"))
    return Document.objects.filter(_PubliclyUsed(uses))


def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Incidents ``user`` may see (see the module's rule)."""
    if reads_drafts(user):
        return Incident.objects.all()
    uses = partial(_used_by_a_public_claim, incident=OuterRef("pk"))
    return Incident.objects.filter(_PubliclyUsed(uses))


def affiliations_visible_to(user: User) -> QuerySet[Affiliation]:
    """Roles ``user`` may see: a page never names a person or organisation it would not open."""
    if reads_drafts(user):
        return Affiliation.objects.all()
    return Affiliation.objects.filter(_actor_is_public("person"), _actor_is_public("organisation"))


def responses_visible_to(user: User) -> QuerySet[Response]:
    """Responses ``user`` may see, in lists and at their URL (see the module's rule)."""
    if reads_drafts(user):
        return Response.objects.all()
    listed = Claim.objects.listed_for(user)
    return Response.objects.filter(claim__in=listed, answers__in=listed)


def evidence_visible_to(user: User) -> QuerySet[Evidence]:
    """Evidence ``user`` may open at its URL: its claim's page shows it (see the module's rule)."""
    if reads_drafts(user):
        return Evidence.objects.all()
    return Evidence.objects.filter(claim__in=Claim.objects.visible_to(user))


def evidence_listed_for(user: User) -> QuerySet[Evidence]:
    """Evidence lists show ``user``: that of the claims lists show them (see the module's rule)."""
    if reads_drafts(user):
        return Evidence.objects.all()
    return Evidence.objects.filter(claim__in=Claim.objects.listed_for(user))


def assessments_shown_to(user: User) -> QuerySet[Assessment]:
    """Assessments ``user`` may read beside a claim they see: published ones, and drafts for
    draft readers (marked as drafts), newest first, with who graded them."""
    shown = Assessment.objects.all() if reads_drafts(user) else Assessment.objects.published()
    return shown.select_related("analyst").order_by("-created_at", "-id")
