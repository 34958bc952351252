"""Writing what an editor accepted: the proposed claims as drafts, through the write path.

Everything happens in one transaction: new actors first (with a person's role), then the
claims with their figures, targets and chains, then the answers between them (or to claims of
the record), and a new hop on each record claim a proposal repeats. Any refusal of the write
path undoes it all and reaches the door as ``RecordInvalid`` keyed by the proposal's index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from claims.assistant.proposals import ActorRef, ProposedClaim
from claims.models import Attribution, Claim, Incident
from claims.record.actors import save_actor
from claims.record.claims import create_claim, save_statement
from claims.record.errors import RecordInvalid
from claims.record.responses import link_response
from sources.models import Actor, Affiliation, Document


class _Actors:
    """The record's actors that the proposals name, and the new ones created on the way."""

    def __init__(self, by: Any) -> None:
        self.by = by
        self.made: dict[str, Actor] = {}

    def get(self, ref: ActorRef) -> Actor:
        if ref.key in self.made:
            return self.made[ref.key]
        if ref.slug:
            actor = Actor.objects.filter(slug=ref.slug).first()
            if actor is None:
                raise RecordInvalid({"speaker": [f"No actor {ref.slug!r} in the record."]})
        else:
            actor = save_actor(by=self.by, values=self._new(ref))
        self.made[ref.key] = actor
        return actor

    def _new(self, ref: ActorRef) -> dict[str, Any]:
        base = slugify(ref.name)[:200] or "actor"
        slug, n = base, 1
        while Actor.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        kind = ref.kind if ref.kind in Actor.Kind.values else Actor.Kind.ORGANISATION
        return {"name": ref.name[:200], "slug": slug, "kind": kind}

    def named(self, key: str) -> Actor:
        """An actor by slug, or one this acceptance created under that name."""
        made = self.made.get(key) or self.made.get(key.casefold())
        return made if made is not None else self.get(ActorRef(key, (0, 0), slug=key))

    def person(self, ref: ActorRef, organisation: Actor) -> Actor:
        """A spokesperson; a new named person gets their role in the organisation."""
        is_new = ref.is_new and ref.key not in self.made
        person = self.get(ref)
        if is_new and person.kind == Actor.Kind.PERSON and ref.role:
            role = Affiliation(organisation=organisation, role=ref.role[:200])
            save_actor(by=self.by, values={}, actor=person, affiliations=[role])
        return person


@transaction.atomic
def create_drafts(
    *, by: Any, claims: Sequence[ProposedClaim], document: Document | None = None
) -> list[Claim]:
    """Write ``claims`` (the accepted proposals) as drafts; return the claims created or given
    a new hop, in the proposals' order. Answers to proposals not accepted are dropped."""
    actors = _Actors(by)
    written: list[Claim] = []
    for n, proposal in enumerate(claims):
        try:
            written.append(_write(by, proposal, actors, document))
        except RecordInvalid as error:
            raise RecordInvalid({"claims": {str(n): error.errors}}) from error
    for n, proposal in enumerate(claims):
        for answer in proposal.answers:
            answered = _answered(answer.to_proposal, answer.to_claim, written)
            if answered is not None and answered != written[n]:
                try:
                    link_response(by=by, claim=written[n], answers=answered, kind=answer.kind)
                except RecordInvalid as error:
                    raise RecordInvalid({"claims": {str(n): {"answers": error.errors}}}) from error
    return written


def _answered(to_proposal: int | None, to_claim: int | None, written: list[Claim]) -> Claim | None:
    if to_proposal is not None:
        return written[to_proposal] if 0 <= to_proposal < len(written) else None
    if to_claim is not None:
        return Claim.objects.filter(pk=to_claim).first()
    return None


def _write(by: Any, proposal: ProposedClaim, actors: _Actors, document: Document | None) -> Claim:
    chain = [
        {
            "actor": actors.get(hop.actor),
            "verb": hop.verb,
            "document": document if hop.is_document else None,
        }
        for hop in proposal.chain
    ]
    if proposal.existing is not None:
        return _add_hop(by, proposal.existing, chain[-1:])
    speaker = actors.get(proposal.speaker)
    spokesperson = actors.person(proposal.spokesperson, speaker) if proposal.spokesperson else None
    fields = {
        "speaker": speaker,
        "spokesperson": spokesperson,
        "kind": proposal.kind,
        "summary": proposal.summary,
        "quote": proposal.quote,
        "quote_language": proposal.quote_language if proposal.quote else "en",
        "translation": proposal.translation,
        "made_on": proposal.made_on,
        "made_precision": proposal.made_precision,
        "made_as_stated": proposal.made_as_stated[:200],
        "status": Claim.Status.DRAFT,
        "incident": Incident.objects.filter(slug=proposal.incident).first()
        if proposal.incident
        else None,
    }
    figures = [
        {
            "category": f.category,
            "outcome": f.outcome,
            "low": f.low,
            "high": f.high,
            "qualifier": f.qualifier,
            "as_stated": f.as_stated,
            "basis": f.basis,
            "reported_by": actors.get(ActorRef(f.reported_by, (0, 0), slug=f.reported_by))
            if f.reported_by
            else None,
        }
        for f in proposal.figures
    ]
    return create_claim(
        by=by,
        fields=fields,
        accused=[actors.get(a) for a in proposal.accused],
        subjects=[actors.get(s) for s in proposal.subjects],
        figures=figures,
        chain=chain,
    )


def _add_hop(by: Any, claim_id: int, hops: list[dict[str, Any]]) -> Claim:
    """The proposal repeats a claim of the record: this document becomes one more hop of it."""
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        raise RecordInvalid({"existing": ["This claim is no longer in the record."]})
    chain = list(claim.attributions.order_by("position"))
    known = {(hop.actor_id, hop.document_id) for hop in chain}
    added = [
        Attribution(**hop)
        for hop in hops
        if (hop["actor"].pk, getattr(hop["document"], "pk", None)) not in known
    ]
    if added:
        save_statement(by=by, claim=claim, chain=[*chain, *added])
    return claim
