"""Reads on a real streaming replica: anonymous reads go there, a client that wrote reads its
write from the primary, a lagging or dead replica is skipped, and health says which is in use."""

from __future__ import annotations

import time

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from claimtracker import replicas
from tests.factories import ActorFactory, ClaimFactory
from tests.replicas import add_replica, drop_replica, on_replica
from tests.workers import wait_for

pytestmark = [pytest.mark.replica, pytest.mark.django_db(transaction=True)]


def replicated(claim: Claim, made_as_stated: str = "") -> bool:
    table = Claim._meta.db_table
    rows = on_replica(f"SELECT made_as_stated FROM {table} WHERE id = %s", (claim.pk,))
    return rows == [(made_as_stated,)]


def pause_replay() -> None:
    on_replica("SELECT pg_wal_replay_pause()")
    wait_for(
        lambda: on_replica("SELECT pg_get_wal_replay_pause_state()") == [("paused",)],
        "replay to pause",
    )


def claim_on_the_replica(white_helmets) -> Claim:
    claim = ClaimFactory(speaker=white_helmets, made_as_stated="last week")
    wait_for(lambda: replicated(claim, "last week"), "the claim to reach the replica")
    return claim


def test_an_anonymous_read_is_answered_by_the_replica(replica, api_client, white_helmets):
    claim = claim_on_the_replica(white_helmets)

    with CaptureQueriesContext(connections[replica]) as on_the_replica:
        response = api_client.get(f"/api/v1/claims/{claim.pk}/")

    assert response.status_code == 200
    assert response.json()["made_as_stated"] == "last week"
    assert any(Claim._meta.db_table in query["sql"] for query in on_the_replica.captured_queries)
    assert on_replica("SELECT pg_is_in_recovery()") == [(True,)]


def test_a_claim_list_from_the_replica_asks_the_primary_nothing(
    replica, api_client, white_helmets, settings, django_assert_num_queries
):
    claim_on_the_replica(white_helmets)
    replicas.lag_of(replica)
    settings.REPLICA_LAG_CHECK_SECONDS = 60  # the lag just measured is used, not asked again

    # The same three queries as on the primary (test_api_queries.py: the record's head, the kept
    # answer's key, then the list and its prefetch), all on the replica.
    with (
        CaptureQueriesContext(connections[replica]) as on_the_replica,
        django_assert_num_queries(0),
    ):
        response = api_client.get("/api/v1/claims/?page_size=50")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert len(on_the_replica.captured_queries) == 3


def test_a_search_from_the_replica_asks_the_primary_nothing(
    replica, api_client, white_helmets, settings, django_assert_num_queries
):
    claim = claim_on_the_replica(white_helmets)
    replicas.lag_of(replica)
    settings.REPLICA_LAG_CHECK_SECONDS = 60

    # Search's SQL is kept as text (claims.reading.search_kept), and the named actors' query is
    # sent on a cursor of its own: still the request's database, not the primary's.
    with (
        CaptureQueriesContext(connections[replica]) as on_the_replica,
        django_assert_num_queries(0),
    ):
        response = api_client.get("/api/v1/search/", {"q": "helmets"})

    assert [row["id"] for row in response.json()["claim"]] == [claim.pk]
    assert len(on_the_replica.captured_queries) == 6


def test_a_token_that_wrote_reads_its_write_while_the_replica_lags(
    replica, api_client, reviewer_client, white_helmets, settings
):
    settings.REPLICA_MAX_LAG_SECONDS = 600  # the paused replica stays in use for others
    # The token's first use records it (a write); done before the pause, so that what keeps
    # the reads below on the primary is the PATCH alone.
    reviewer_client.get("/api/v1/claims/")
    claim = claim_on_the_replica(white_helmets)  # made after that record, so replayed after it
    pause_replay()

    written = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"made_as_stated": "on Tuesday"}, format="json"
    )
    own = reviewer_client.get(f"/api/v1/claims/{claim.pk}/")
    others = api_client.get(f"/api/v1/claims/{claim.pk}/")

    assert written.status_code == 200
    assert own.json()["made_as_stated"] == "on Tuesday"
    assert others.json()["made_as_stated"] == "last week"  # the replica, not yet replayed
    assert Claim.objects.get(pk=claim.pk).made_as_stated == "on Tuesday"


def test_after_the_sticky_seconds_the_token_reads_the_replica_again(
    replica, reviewer_client, white_helmets, settings
):
    settings.REPLICA_STICKY_SECONDS = 1
    claim = claim_on_the_replica(white_helmets)
    reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"made_as_stated": "on Tuesday"}, format="json"
    )
    wait_for(lambda: replicated(claim, "on Tuesday"), "the change to reach the replica")
    time.sleep(1.1)

    with CaptureQueriesContext(connections[replica]) as on_the_replica:
        response = reviewer_client.get(f"/api/v1/claims/{claim.pk}/")

    assert response.json()["made_as_stated"] == "on Tuesday"
    assert any(Claim._meta.db_table in query["sql"] for query in on_the_replica.captured_queries)


def test_a_write_moves_the_rest_of_the_request_to_the_primary(replica, white_helmets):
    token = replicas._reads.set(replicas.Reads(replica=replica))
    try:
        before = router.db_for_read(Claim)
        ActorFactory(name="Written mid-request")
        after = router.db_for_read(Claim)
    finally:
        replicas._reads.reset(token)

    assert (before, after) == (replica, "default")
    assert router.db_for_read(Claim) == "default"  # outside a request: the primary


def test_a_stale_replica_is_skipped_and_health_says_so(
    replica, client, api_client, white_helmets, settings
):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    claim = claim_on_the_replica(white_helmets)
    pause_replay()
    Claim.objects.filter(pk=claim.pk).update(made_as_stated="on Tuesday")
    wait_for(lambda: not replicas.lag_of(replica).usable, "the replica to lag past 1 s", 90)

    response = api_client.get(f"/api/v1/claims/{claim.pk}/")
    health = client.get("/healthz?full=1").json()

    assert response.json()["made_as_stated"] == "on Tuesday"  # from the primary
    assert health["replicas"][replica]["in_use"] is False
    assert health["replicas"][replica]["lag_seconds"] > 1
    assert health["replicas"][replica]["limit"] == 1
    on_replica("SELECT pg_wal_replay_resume()")
    # What the primary wrote meanwhile (the whole cluster's WAL) is replayed first.
    settings.REPLICA_MAX_LAG_SECONDS = 5
    wait_for(lambda: replicas.lag_of(replica).usable, "the replica to catch up", seconds=180)
    assert client.get("/healthz").json()["replicas"][replica]["in_use"] is True


def test_reads_answer_from_the_primary_when_the_replica_is_down(
    client, api_client, white_helmets, settings, django_db_blocker
):
    claim = ClaimFactory(speaker=white_helmets)
    nowhere = "postgres://postgres@127.0.0.1:1"  # nothing listens there
    add_replica("replica_1", nowhere, django_db_blocker)
    settings.REPLICA_LAG_CHECK_SECONDS = 0
    replicas.forget_lags()
    try:
        response = api_client.get(f"/api/v1/claims/{claim.pk}/")
        health = client.get("/healthz?full=1")
    finally:
        drop_replica("replica_1")
        replicas.forget_lags()

    assert response.status_code == 200
    assert health.status_code == 200  # a replica down never fails the probe
    shown = health.json()["replicas"]["replica_1"]
    assert shown["in_use"] is False
    assert shown["detail"].startswith("not answering")


def test_a_replica_that_fails_mid_request_is_retried_on_the_primary(
    client, api_client, white_helmets, settings, django_db_blocker
):
    claim = ClaimFactory(speaker=white_helmets)
    add_replica("replica_1", "postgres://postgres@127.0.0.1:1", django_db_blocker)
    settings.REPLICA_LAG_CHECK_SECONDS = 60
    # Measured healthy a moment ago; it has gone since.
    replicas._measured["replica_1"] = replicas.Lag("replica_1", 0.0, "caught up", time.monotonic())
    try:
        detail = api_client.get(f"/api/v1/claims/{claim.pk}/")
        page = client.get(f"/claims/{claim.pk}/")
        lag = replicas.lag_of("replica_1")
    finally:
        drop_replica("replica_1")
        replicas.forget_lags()

    assert detail.status_code == 200
    assert page.status_code == 200
    assert lag.usable is False
    assert lag.detail.startswith("failed mid-request")
