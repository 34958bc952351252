"""The editor assistant in the admin: "Propose a statement" from a document or pasted text, one
review page with every proposal highlighted and editable, and "Create drafts" for the kept ones.

Nothing is written before "Create drafts"; then the kept proposals are written as drafts in one
transaction through the write path (claims.assistant.drafts), and the first claim opens.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from claims.assistant.documents import Unreadable, article_of, checked
from claims.assistant.drafts import create_drafts
from claims.assistant.proposals import Proposals, ProposedClaim, claim_from_values, kept
from claims.assistant.record import propose_from_record
from claims.models import CasualtyFigure, Claim
from claims.record.errors import RecordInvalid, Refused
from claimtracker.numbers import plain_id, plain_int
from sources.models import Actor, Document

FIGURE_FIELDS = ("low", "high", "qualifier", "as_stated", "basis", "category", "outcome")


class ProposeForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}), required=False, strip=False
    )
    document = forms.ModelChoiceField(
        Document.objects.select_related("publisher"), required=False, widget=forms.NumberInput,
        help_text="Or the id of a document of the record: its archived copy is read.",
    )  # fmt: skip
    published_on = forms.DateField(
        required=False, help_text="YYYY-MM-DD; a document's own date otherwise."
    )
    publisher = forms.SlugField(
        required=False, help_text="The publisher's slug, e.g. rt; a document's otherwise."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        document = data.get("document")
        try:
            if document is not None:
                article = article_of(document)
                data["text"] = article.text
                data["published_on"] = data.get("published_on") or article.published_on
                data["publisher"] = data.get("publisher") or article.publisher
            else:
                data["text"] = checked(data.get("text") or "")
        except Unreadable as refusal:
            self.add_error("document" if document else "text", refusal.message)
            return data
        if not data.get("published_on"):
            self.add_error("published_on", "Give the date the article was published.")
        publisher = data.get("publisher")
        if not publisher:
            self.add_error("publisher", "Give the publisher's slug.")
        elif not Actor.objects.filter(slug=publisher).exists():
            self.add_error("publisher", f"No actor {publisher!r} in the record.")
        return data


def propose_view(request: HttpRequest) -> HttpResponse:
    """The form, then the review page for what was given."""
    _check(request)
    form = ProposeForm(request.POST or None, initial={"document": request.GET.get("document")})
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        proposals = propose_from_record(
            values["text"], published_on=values["published_on"], publisher=values["publisher"]
        )
        return _review(request, proposals, values.get("document"))
    return TemplateResponse(
        request,
        "admin/claims/assistant/propose.html",
        _context(request, form=form, title="Propose a statement"),
    )


def create_view(request: HttpRequest) -> HttpResponse:
    """ "Create drafts": the kept proposals, as edited, written as drafts."""
    _check(request)
    if request.method != "POST":
        return redirect("admin-propose")
    try:
        given = json.loads(request.POST.get("proposals", ""))
        proposals = Proposals(
            text=given["text"],
            published_on=dt.date.fromisoformat(given["published_on"]),
            publisher=given["publisher"],
            claims=[claim_from_values(_dated(c)) for c in given["claims"]],
        )
    except (ValueError, KeyError, TypeError):
        messages.error(request, "The review page's data was damaged; propose again.")
        return redirect("admin-propose")
    given_document = request.POST.get("document", "")
    document = (
        Document.objects.filter(pk=number).first()
        if (number := plain_id(given_document)) is not None
        else None
    )
    chosen = [n for n in range(len(proposals.claims)) if request.POST.get(f"c{n}-accept")]
    errors = _apply_edits(request, proposals.claims)
    if errors:
        return _review(request, proposals, document, errors=errors)
    if not chosen:
        messages.info(request, "No proposal was kept; nothing was written.")
        return redirect("admin-propose")
    try:
        written = create_drafts(
            by=request.user, claims=kept(proposals.claims, chosen), document=document
        )
    except (RecordInvalid, Refused) as refusal:
        problems = refusal.messages if isinstance(refusal, RecordInvalid) else [refusal.message]
        return _review(request, proposals, document, errors=problems)
    messages.success(
        request, f"{len(written)} draft claims written; review each before publishing."
    )
    return redirect("admin:claims_claim_change", written[0].pk)


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm("claims.add_claim"):
        raise PermissionDenied


def _dated(values: dict[str, Any]) -> dict[str, Any]:
    values["made_on"] = dt.date.fromisoformat(values["made_on"])
    for date in values.get("dates", []):
        date["on"] = dt.date.fromisoformat(date["on"])
    return values


def _apply_edits(request: HttpRequest, claims: list[ProposedClaim]) -> list[str]:
    """The fields the editor changed on the review page, onto the proposals."""
    errors: list[str] = []
    for n, claim in enumerate(claims):
        post = request.POST
        claim.summary = post.get(f"c{n}-summary", claim.summary)
        claim.kind = post.get(f"c{n}-kind", claim.kind)
        for m, figure in enumerate(claim.figures):
            for name in FIGURE_FIELDS:
                key = f"c{n}-f{m}-{name}"
                if key not in post:
                    continue
                value = post[key].strip()
                if name in ("low", "high"):
                    if value and plain_int(value) is None:
                        errors.append(
                            f"Claim {n + 1}, figure {m + 1}: {name} must be a whole number."
                        )
                        continue
                    setattr(figure, name, int(value) if value else None)
                else:
                    setattr(figure, name, value)
    return errors


def _review(
    request: HttpRequest,
    proposals: Proposals,
    document: Document | None,
    errors: list[str] | None = None,
) -> HttpResponse:
    context = _context(
        request,
        title="Review the proposals",
        proposals=proposals,
        rows=[_row(n, c) for n, c in enumerate(proposals.claims)],
        highlighted=highlighted(proposals),
        data=json.dumps(proposals.as_json()),
        document=document,
        errors=errors or [],
        create_url=reverse("admin-propose-create"),
    )
    return TemplateResponse(request, "admin/claims/assistant/review.html", context)


def _row(n: int, claim: ProposedClaim) -> dict[str, Any]:
    return {
        "n": n,
        "claim": claim,
        "kinds": Claim.Kind.choices,
        "figures": [(m, f) for m, f in enumerate(claim.figures)],
        "qualifiers": CasualtyFigure.Qualifier.choices,
        "categories": CasualtyFigure.Category.choices,
        "outcomes": CasualtyFigure.Outcome.choices,
        "chain": " → ".join(f"{h.actor.name} ({h.verb})" for h in claim.chain),
        "answers": [
            f"{a.kind} proposal {a.to_proposal + 1}"
            if a.to_proposal is not None
            else f"{a.kind} record claim #{a.to_claim}"
            for a in claim.answers
        ],
    }


def highlighted(proposals: Proposals) -> SafeString:
    """The text, escaped, with each proposal's words marked by their kind."""
    marks: list[tuple[int, int, str]] = []
    for claim in proposals.claims:
        marks += [(q.span[0], q.span[1], "quote") for q in claim.quotes]
        marks += [(f.span[0], f.span[1], "figure") for f in claim.figures]
        marks += [(d.span[0], d.span[1], "date") for d in claim.dates]
    marks += [(a.span[0], a.span[1], "actor") for a in proposals.actors]
    parts: list[str] = []
    at = 0
    for start, end, kind in sorted(marks):
        if start < at:
            continue  # inside a mark already made
        parts.append(escape(proposals.text[at:start]))
        words = escape(proposals.text[start:end])
        parts.append(f'<mark class="proposal-{kind}" title="{kind}">{words}</mark>')
        at = end
    parts.append(escape(proposals.text[at:]))
    # Every piece of the text was escaped above; only the marks are markup.
    return mark_safe("".join(parts).replace("\n", "<br>"))


def _context(request: HttpRequest, **values: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "opts": Claim._meta, **values}


urlpatterns = [
    path("", admin.site.admin_view(propose_view), name="admin-propose"),
    path("create/", admin.site.admin_view(create_view), name="admin-propose-create"),
]
