"""Writes of statements: a claim with its targets, figures, attribution chain, evidence and the
answers it makes, created or changed as one versioned write; publishing and withdrawing it.

``save_statement`` is the one function every door calls for these: the admin's claim page, the
API's claim endpoints, the importer and the demo loader. Parts are given whole (replace
semantics): the rows passed are what the claim has afterwards — rows with an id are changed in
place (only the fields that differ are written), rows without one are added, and the claim's
other rows of that kind are removed. A part left as None is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from claims.ledger.history import acting
from claims.models import Attribution, CasualtyFigure, Claim, ClaimTarget, Evidence, Response
from claims.record import effects
from claims.record.errors import RecordInvalid, StaleVersion, errors_of
from claims.record.parts import Plan, apply, part_errors, plan_parts
from claims.record.workflow import check_move
from sources.models import Actor

CONFLICT = "This conflicts with a record saved meanwhile; read it again and retry."


# Each kind of part: its model, the claim's related name for it, and the fields that must not
# repeat within one claim (the named unique constraints the database holds).
PARTS: dict[str, tuple[type[models.Model], str, tuple[str, ...]]] = {
    "targets": (ClaimTarget, "claim_targets", ("actor_id", "role")),
    "figures": (CasualtyFigure, "figures", ()),
    "attribution_chain": (Attribution, "attributions", ("position",)),
    "evidence": (Evidence, "evidence", ()),
    "answers": (Response, "responses_made", ("answers_id", "kind")),
}
REPEATED = {
    "targets": "This actor is already listed in this role.",
    "attribution_chain": "Each hop of a chain needs its own position.",
    "answers": "This claim already answers that claim in this way.",
}


@transaction.atomic
def save_statement(
    *,
    by: Any,
    claim: Claim,
    values: dict[str, Any] | None = None,
    read_version: int | None = None,
    targets: Sequence[ClaimTarget] | None = None,
    figures: Sequence[CasualtyFigure] | None = None,
    chain: Sequence[Attribution] | None = None,
    evidence: Sequence[Evidence] | None = None,
    answers: Sequence[Response] | None = None,
) -> Claim:
    """Create ``claim`` (unsaved) or change it (with ``values`` applied), with its parts.

    Refuses (``Refused``) what the workflow does not let ``by`` do; raises ``RecordInvalid``
    with every broken rule at once, keyed by field and by the index of the part in its list;
    raises ``StaleVersion`` when the claim moved on from ``read_version``. Saves nothing unless
    all is well, bumps the version once, records ``by`` in the history, and ends with the
    effects the change calls for. A write that changes nothing writes nothing.
    """
    for name, value in (values or {}).items():
        setattr(claim, name, value)
    stored = Claim.objects.filter(pk=claim.pk).first() if claim.pk else None
    check_move(by, stored.status if stored else None, claim.status)
    if stored and read_version is not None and stored.version != read_version:
        raise StaleVersion.of(stored, read_version)
    given = {
        "targets": targets,
        "figures": figures,
        "attribution_chain": _numbered(chain),
        "evidence": evidence,
        "answers": answers,
    }
    _validate(claim, {name: rows for name, rows in given.items() if rows is not None})
    plans = {
        name: plan_parts(claim, name, rows, related=PARTS[name][1])
        for name, rows in given.items()
        if rows is not None
    }
    changed = _changed_fields(claim, stored)
    if stored and not changed and all(plan.empty for plan in plans.values()):
        return claim
    before = effects.snapshot(stored)
    try:
        with transaction.atomic(), acting(by):
            _write_claim(claim, stored, by)
            for plan in plans.values():
                apply(plan, owner=claim)
    except IntegrityError as error:
        raise RecordInvalid({"non_field_errors": [CONFLICT]}) from error
    effects.after_statement_saved(claim=claim, before=before, evidence=_new_urls(plans))
    return claim


def create_claim(
    *,
    by: Any,
    fields: dict[str, Any],
    accused: Iterable[Actor] = (),
    subjects: Iterable[Actor] = (),
    figures: Iterable[dict[str, Any]] = (),
    chain: Iterable[dict[str, Any]] = (),
    evidence: Iterable[dict[str, Any]] = (),
    answers: Iterable[dict[str, Any]] = (),
) -> Claim:
    """A new statement from plain values: ``chain`` lists hops from the speaker outwards, and
    ``answers`` the claims this one answers (``{"answers": claim, "kind": …}``)."""
    return save_statement(
        by=by,
        claim=Claim(**fields),
        targets=targets_of(accused, subjects),
        figures=[CasualtyFigure(**values) for values in figures],
        chain=[Attribution(**values) for values in chain],
        evidence=[Evidence(**values) for values in evidence],
        answers=[Response(**values) for values in answers],
    )


def targets_of(accused: Iterable[Actor], subjects: Iterable[Actor]) -> list[ClaimTarget]:
    """Target rows for the actors a claim accuses and those it is about, one per actor and role."""
    return [
        ClaimTarget(actor=actor, role=role)
        for role, actors in (
            (ClaimTarget.Role.ACCUSED, accused),
            (ClaimTarget.Role.SUBJECT, subjects),
        )
        for actor in dict.fromkeys(actors)
    ]


def publish_claim(*, by: Any, claim: Claim, read_version: int | None = None) -> Claim:
    """Make a draft public, with the parts and answers it holds."""
    return save_statement(
        by=by, claim=claim, values={"status": Claim.Status.PUBLISHED}, read_version=read_version
    )


def withdraw_claim(*, by: Any, claim: Claim, reason: str, read_version: int | None = None) -> Claim:
    """Withdraw a published claim: it stays readable at its URL with the reason shown."""
    if not reason.strip():
        raise RecordInvalid({"withdrawal_reason": ["Give the reason a claim is withdrawn."]})
    values = {"status": Claim.Status.WITHDRAWN, "withdrawal_reason": reason.strip()}
    return save_statement(by=by, claim=claim, values=values, read_version=read_version)


# --- validation ---------------------------------------------------------------------------------


def _numbered(chain: Sequence[Attribution] | None) -> list[Attribution] | None:
    """Hops given without positions take their place in the list, counting from 1."""
    if chain is None:
        return None
    for n, hop in enumerate(chain, start=1):
        if hop.position is None:
            hop.position = n
    return list(chain)


def _fields_of(names: Sequence[str]) -> Callable[[models.Model], tuple[object, ...]]:
    """What makes a part unique: the values of ``names``."""
    return lambda row: tuple(getattr(row, name) for name in names)


def _validate(claim: Claim, parts: dict[str, Sequence[models.Model]]) -> None:
    errors: dict[str, Any] = errors_of(claim)
    for name, rows in parts.items():
        unique = PARTS[name][2]
        found = part_errors(
            claim,
            rows,
            owner_field="claim",
            key=_fields_of(unique) if unique else None,
            repeated=REPEATED.get(name, ""),
        )
        if found:
            errors[name] = found
    if errors:
        raise RecordInvalid(errors)


def _new_urls(plans: dict[str, Plan]) -> list[Evidence]:
    """Evidence whose URL is new or changed: what the effects archive."""
    plan = plans.get("evidence")
    if plan is None:
        return []
    changed = [row for row, names in plan.change if "url" in names]
    return [row for row in [*plan.add, *changed] if isinstance(row, Evidence) and row.url]


# --- writing ------------------------------------------------------------------------------------


def _changed_fields(claim: Claim, stored: Claim | None) -> list[str]:
    if stored is None:
        return ["*"]
    return [
        f.attname
        for f in Claim._meta.local_concrete_fields
        if f.editable and getattr(claim, f.attname) != getattr(stored, f.attname)
    ]


def _write_claim(claim: Claim, stored: Claim | None, by: Any) -> None:
    """Insert a new claim, or write every field with the version bumped in one conditional
    UPDATE: of several concurrent saves from the same version exactly one applies."""
    if stored is not None and claim.published_at is None:
        claim.published_at = stored.published_at  # a door's copy may not carry it
    if claim.status == Claim.Status.PUBLISHED and claim.published_at is None:
        claim.published_at = timezone.now()  # first published: what the home page calls new
    if stored is None:
        claim.created_by = by if getattr(by, "pk", None) else None
        claim.save()
        return
    # What people write, not what workers derive (quote_check, quote_anchor): a check finishing
    # meanwhile keeps its result. The version guards the written fields against lost updates.
    values = {
        f.attname: getattr(claim, f.attname)
        for f in Claim._meta.local_concrete_fields
        if f.editable and not f.primary_key
    }
    values |= {"version": stored.version + 1, "updated_at": timezone.now()}
    values["published_at"] = claim.published_at
    if not Claim.objects.filter(pk=claim.pk, version=stored.version).update(**values):
        current = Claim.objects.get(pk=claim.pk)
        raise StaleVersion.of(current, stored.version)
    claim.version, claim.updated_at = values["version"], values["updated_at"]
