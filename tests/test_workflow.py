"""Editorial workflow and lost updates: drafts, publishing, withdrawal, versions, roles."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from claims.ledger.history import history_of
from claims.models import Claim
from claims.record.claims import publish_claim, save_statement, withdraw_claim
from claims.record.errors import RecordInvalid, StaleVersion
from claims.record.workflow import OPERATOR
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db


def _change_form_data(client: Client, claim: Claim, **changes: object) -> dict:
    page = client.get(reverse("admin:claims_claim_change", args=[claim.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"speaker": claim.speaker_id, "made_on": claim.made_on.isoformat()}
    data |= {"read_version": form["read_version"].value(), **changes}
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_draft_is_published_then_withdrawn_with_a_reason() -> None:
    claim = ClaimFactory(status="draft")
    publish_claim(by=OPERATOR, claim=claim)
    withdraw_claim(
        by=OPERATOR, claim=claim, reason="The quote was attributed to the wrong ministry."
    )
    claim.refresh_from_db()
    assert claim.status == "withdrawn"
    assert claim.withdrawal_reason.startswith("The quote was attributed")
    assert claim.version == 3
    assert [r.after["status"] for r in history_of(claim)] == ["draft", "published", "withdrawn"]


def test_withdrawal_without_a_reason_is_refused() -> None:
    claim = ClaimFactory(status="published")
    with pytest.raises(RecordInvalid) as error:
        withdraw_claim(by=OPERATOR, claim=claim, reason="  ")
    assert "withdrawal_reason" in error.value.errors
    claim.refresh_from_db()
    assert claim.status == "published"


@pytest.mark.parametrize(("start", "move"), [("draft", "withdraw"), ("withdrawn", "publish")])
def test_impossible_moves_are_refused(start: str, move: str) -> None:
    claim = ClaimFactory(status=start, withdrawal_reason="x" if start == "withdrawn" else "")

    def attempt() -> None:
        if move == "withdraw":
            withdraw_claim(by=OPERATOR, claim=claim, reason="because")
        else:
            publish_claim(by=OPERATOR, claim=claim)

    with pytest.raises(RecordInvalid):
        attempt()
    claim.refresh_from_db()
    assert claim.status == start


def test_save_from_an_old_version_is_refused_and_says_what_changed() -> None:
    claim = ClaimFactory(summary="First wording.")
    mine, theirs = Claim.objects.get(pk=claim.pk), Claim.objects.get(pk=claim.pk)
    theirs.summary = "Their wording."
    save_statement(by=OPERATOR, claim=theirs, read_version=1)
    mine.summary = "My wording."
    with pytest.raises(StaleVersion) as stale:
        save_statement(by=OPERATOR, claim=mine, read_version=1)
    assert stale.value.changes == [("summary", "First wording.", "Their wording.")]
    assert "you read version 1, it is now version 2" in stale.value.message
    assert Claim.objects.get(pk=claim.pk).summary == "Their wording."


def test_editor_cannot_publish_through_the_admin(client: Client, editor) -> None:
    claim = ClaimFactory(status="draft")
    client.force_login(editor)
    data = _change_form_data(client, claim, status="published", summary="Edited by the editor.")
    response = client.post(reverse("admin:claims_claim_change", args=[claim.pk]), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.summary) == ("draft", "Edited by the editor.")


def test_editor_cannot_change_a_published_claim(client: Client, editor) -> None:
    claim = ClaimFactory(status="published", summary="As published.")
    client.force_login(editor)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    assert client.get(url).status_code == 200  # may read it
    response = client.post(url, {"summary": "Quietly changed."})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.summary == "As published."


def test_reviewer_publishes_drafts_with_the_admin_action(client: Client, reviewer) -> None:
    drafts = [ClaimFactory(status="draft") for _ in range(2)]
    client.force_login(reviewer)
    # Confirmed, as the confirmation page sends it (tests/test_admin_publish.py).
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {
            "action": "publish_selected",
            "_selected_action": [c.pk for c in drafts],
            "confirmed": "yes",
        },
    )
    assert response.status_code == 302
    assert set(Claim.objects.values_list("status", flat=True)) == {"published"}


def test_editor_does_not_get_the_publish_action(client: Client, editor) -> None:
    draft = ClaimFactory(status="draft")
    client.force_login(editor)
    client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_second_admin_save_is_refused_with_what_changed(client: Client, reviewer) -> None:
    claim = ClaimFactory(status="draft", summary="Original summary.")
    other = Client()
    other.force_login(UserFactory(username="other", is_staff=True, groups=["reviewers"]))
    client.force_login(reviewer)
    mine = _change_form_data(client, claim, summary="My summary.")
    theirs = _change_form_data(other, claim, summary="Their summary.")
    url = reverse("admin:claims_claim_change", args=[claim.pk])

    assert other.post(url, theirs).status_code == 302
    response = client.post(url, mine)

    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by someone else after you opened it" in page
    assert "changed: summary" in page
    claim.refresh_from_db()
    assert claim.summary == "Their summary."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_saves_from_one_version_apply_exactly_once() -> None:
    claim = ClaimFactory(summary="Start.")
    outcomes: list[str] = []
    barrier = threading.Barrier(20)

    def edit(n: int) -> None:
        try:
            mine = Claim.objects.get(pk=claim.pk)
            mine.summary = f"Edit {n}."
            barrier.wait()
            save_statement(by=OPERATOR, claim=mine, read_version=1)
            outcomes.append(f"applied {n}")
        except StaleVersion:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    applied = [o for o in outcomes if o.startswith("applied")]
    assert len(outcomes) == 20
    assert len(applied) == 1
    final = Claim.objects.get(pk=claim.pk)
    assert final.version == 2
    assert final.summary == f"Edit {applied[0].split()[1]}."
    updates = [r for r in history_of(claim) if r.operation == "UPDATE"]
    assert [(r.before["version"], r.after["version"]) for r in updates] == [(1, 2)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_editors_each_from_the_latest_version_lose_nothing() -> None:
    """Twenty editors who re-read after a refusal: every change applies once, in the history."""
    claim = ClaimFactory(summary="Start.")

    def edit(n: int) -> None:
        try:
            while True:
                mine = Claim.objects.get(pk=claim.pk)
                mine.summary = f"Edit {n}."
                try:
                    save_statement(by=OPERATOR, claim=mine, read_version=mine.version)
                    return
                except StaleVersion:
                    continue
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Claim.objects.get(pk=claim.pk).version == 21
    updates = [r for r in history_of(claim) if r.operation == "UPDATE"]
    assert [r.after["version"] for r in updates] == list(range(2, 22))
    assert sorted(r.after["summary"] for r in updates) == sorted(f"Edit {n}." for n in range(20))
    assert connection.vendor == "postgresql"


def test_assign_role_gives_and_removes_a_role() -> None:
    user = UserFactory(username="dana")
    out = StringIO()
    call_command("assign_role", "dana", "reviewer", stdout=out)
    assert "Gave the role reviewers for dana" in out.getvalue()
    user.refresh_from_db()
    assert user.is_staff
    assert user.has_perm("claims.publish_claim")
    call_command("assign_role", "dana", "reviewer", "--remove", stdout=StringIO())
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_perm("claims.publish_claim")


def test_assign_role_names_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("assign_role", "nobody", "editor", stdout=StringIO())


@pytest.mark.parametrize(
    ("role", "can_view_drafts", "can_edit", "can_publish", "can_assess"),
    [
        ("analysts", True, False, False, True),
        ("editors", True, True, False, False),
        ("reviewers", True, True, True, False),
        ("administrators", True, True, True, True),
    ],
)
def test_roles_grant_exactly_their_rights(
    role: str, can_view_drafts: bool, can_edit: bool, can_publish: bool, can_assess: bool
) -> None:
    user = UserFactory(username=f"u-{role}", groups=[role])
    assert user.has_perm("claims.view_claim") is can_view_drafts
    assert user.has_perm("claims.change_claim") is can_edit
    assert user.has_perm("claims.publish_claim") is can_publish
    assert user.has_perm("claims.add_assessment") is can_assess
    assert user.has_perm("claims.delete_claim") is (role == "administrators")


def test_api_write_over_a_stale_etag_answers_412_with_what_changed(reviewer_client) -> None:
    claim = ClaimFactory(status="draft", summary="First.")
    url = f"/api/v1/claims/{claim.pk}/"
    etag = reviewer_client.get(url)["ETag"]
    assert etag.startswith(f'"claim-{claim.pk}-v1-')
    first = reviewer_client.patch(url, {"summary": "Theirs."}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"].startswith(f'"claim-{claim.pk}-v2-')
    assert reviewer_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    second = reviewer_client.patch(url, {"summary": "Mine."}, format="json", HTTP_IF_MATCH=etag)

    assert second.status_code == 412
    assert second.json()["changes"] == [{"field": "summary", "yours": "First.", "now": "Theirs."}]
    claim.refresh_from_db()
    assert (claim.summary, claim.version) == ("Theirs.", 2)


def test_a_bare_version_etag_still_guards_a_write(reviewer_client) -> None:
    claim = ClaimFactory(status="draft", summary="First.")
    url = f"/api/v1/claims/{claim.pk}/"
    ok = reviewer_client.patch(
        url, {"summary": "Second."}, format="json", HTTP_IF_MATCH=f'"claim-{claim.pk}-v1"'
    )
    assert ok.status_code == 200
    stale = reviewer_client.patch(
        url, {"summary": "Third."}, format="json", HTTP_IF_MATCH=f'"claim-{claim.pk}-v1"'
    )
    assert stale.status_code == 412


def test_a_malformed_if_match_is_refused(reviewer_client) -> None:
    claim = ClaimFactory(status="draft")
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"summary": "x"}, format="json", HTTP_IF_MATCH='"v1"'
    )
    assert response.status_code == 412
    claim.refresh_from_db()
    assert claim.version == 1
