"""Faults of the API's own making: exceptions, and database connections killed under it.

An API client always gets JSON, never the site's HTML error page; a write answered by a server
error either did not happen or has its Idempotency-Key stored with it, so a client retrying with
the same key never writes twice. Killed connections are real (pg_terminate_backend from a second
connection, against the test's own requests or a gunicorn serving the test database); only the
lost acknowledgement of a COMMIT that went through is imitated, by raising what psycopg2 raises.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.db import OperationalError, connection

from claims.api import writes
from claims.ledger import middleware as history_middleware
from claims.models import Claim, IdempotencyKey
from claims.reading import search
from sources.models import Actor, ApiToken
from tests.conftest import token_client

pytestmark = [pytest.mark.faults, pytest.mark.django_db]
BASE_DIR = Path(__file__).resolve().parents[2]
KEY = {"Idempotency-Key": "0b9e6a52-retry"}
KILL_ROUNDS = 80  # of the battery: every session of the server killed, every 30 ms


def claim(summary: str = "The group says 152 civilians were killed.") -> dict:
    return {
        "speaker": "white-helmets",
        "kind": "casualty_count",
        "summary": summary,
        "made_on": "2017-09-26",
    }


def assert_json_server_error(answer) -> None:
    assert answer.status_code == 500
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "request_id"}
    assert (body["type"], body["status"]) == ("/api/v1/problems/server-error/", 500)
    assert body["request_id"] == answer["X-Request-ID"]
    assert "Idempotency-Key" in answer.json()["detail"]
    assert b"<html" not in answer.content.lower()


@pytest.fixture
def tool(editor):
    """The editor's tool, seeing server errors as answers (Django's test client would raise)."""
    client = token_client(editor, "faulty tool")
    client.raise_request_exception = False
    return client


# --- exceptions ------------------------------------------------------------------------------


def test_a_write_whose_service_raises_answers_json_500_and_writes_nothing(
    tool, white_helmets, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(writes, "create_claim", broken)

    assert_json_server_error(tool.post("/api/v1/claims/", claim(), format="json"))
    assert not Claim.objects.exists()


def test_a_read_whose_query_fails_answers_json_500(tool, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(search, "search", broken)

    assert_json_server_error(tool.get("/api/v1/search/", {"q": "idlib"}))


def test_a_failure_in_a_middleware_under_the_api_answers_json_500(tool, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not set the acting user")

    monkeypatch.setattr(history_middleware, "acting_as", broken)

    assert_json_server_error(tool.post("/api/v1/claims/", claim(), format="json"))


def test_pages_keep_their_html_error_page(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("could not set the acting user")

    monkeypatch.setattr(history_middleware, "acting_as", broken)
    client.raise_request_exception = False

    answer = client.post("/search/")

    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("text/html")


# --- connections killed under the test's own requests (PostgreSQL) ------------------------------


def terminate(pid: int) -> None:
    """Kill a database session from a second connection, as an operator or a failover would."""
    db = connection.settings_dict
    admin = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            # Waits (up to 5 s) until the session has ended.
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
    finally:
        admin.close()


def own_pid() -> int:
    return connection.connection.info.backend_pid


def after_the_fault() -> None:
    """What the end of a request does for a server process: drop a connection that died."""
    if connection.connection is not None and not connection.is_usable():
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_whose_connection_is_killed_before_commit_is_rolled_back_and_its_retry_writes_once(
    tool, white_helmets, monkeypatch
):
    real = writes.create_claim
    killed = []

    def killed_after_writing(**kwargs):
        saved = real(**kwargs)
        if not killed:
            killed.append(own_pid())
            terminate(killed[0])  # the next statement of this request finds no session
        return saved

    monkeypatch.setattr(writes, "create_claim", killed_after_writing)

    failed = tool.post("/api/v1/claims/", claim(), format="json", headers=KEY)
    after_the_fault()
    assert_json_server_error(failed)
    assert (Claim.objects.count(), IdempotencyKey.objects.count()) == (0, 0)
    retried = tool.post("/api/v1/claims/", claim(), format="json", headers=KEY)

    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried  # nothing was kept: it ran again
    assert Claim.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_write_whose_commit_went_through_on_a_dying_connection_is_answered_again_not_repeated(
    tool, white_helmets, monkeypatch
):
    """The measured fault: the server committed, the client got a 500 and retries."""
    real_commit = connection.commit
    lost = []

    def commit_then_lose_the_connection() -> None:
        real_commit()
        if not lost:
            lost.append(own_pid())
            terminate(lost[0])
            # What psycopg2 raises when the session ends before COMMIT's answer arrives.
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "commit", commit_then_lose_the_connection)

    failed = tool.post("/api/v1/claims/", claim(), format="json", headers=KEY)
    after_the_fault()
    assert lost
    assert_json_server_error(failed)
    assert Claim.objects.count() == 1  # committed, although the client was told 500
    retried = tool.post("/api/v1/claims/", claim(), format="json", headers=KEY)

    assert retried.status_code == 201
    assert retried["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1
    assert retried.json()["id"] == Claim.objects.get().pk


# --- a gunicorn serving the test database, its sessions killed (PostgreSQL) ----------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``make serve``'s gunicorn on the test database; its sessions are named faults-web."""

    APPLICATION = "faults-web"

    def __init__(self, log: Path, workers: int, conn_max_age: int) -> None:
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}?application_name={self.APPLICATION}"
        )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATABASE_CONN_MAX_AGE": str(conn_max_age),
            "SECRET_KEY": "faults-test-only",
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "API_THROTTLE_USER": "100000/minute",
        }
        env.pop("CELERY_BROKER_URL", None)
        self.port = free_port()
        self.log = log
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    *(str(gunicorn), "claimtracker.wsgi", "--bind", f"127.0.0.1:{self.port}"),
                    *("--workers", str(workers), "--timeout", "30"),
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        ends = time.monotonic() + 30
        while time.monotonic() < ends:
            try:
                if self.request("GET", "/api/v1/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("gunicorn did not start:\n" + log.read_text()[-3000:])

    def request(self, method: str, path: str, body: dict | None = None, headers=None):
        """(status, content type, body bytes, headers) of one request on a new connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            sent = {"Content-Type": "application/json", **(headers or {})}
            conn.request(method, path, body=payload, headers=sent)
            answer = conn.getresponse()
            return answer.status, answer.getheader("Content-Type", ""), answer.read(), answer
        finally:
            conn.close()

    def sessions(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [self.APPLICATION],
            )
            return [pid for (pid,) in cursor.fetchall()]

    def kill_sessions(self) -> int:
        pids = self.sessions()
        for pid in pids:
            terminate(pid)
        return len(pids)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)


@pytest.fixture
def serve(tmp_path) -> Iterator:
    servers: list[Gunicorn] = []

    def start(workers: int, conn_max_age: int) -> Gunicorn:
        servers.append(Gunicorn(tmp_path / "gunicorn.log", workers, conn_max_age))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def tool_secret(editor) -> str:
    Actor.objects.create(name="White Helmets", slug="white-helmets", kind="organisation")
    return ApiToken.issue(user=editor, name="battery")[1]


def write_until_answered(server: Gunicorn, secret: str, summary: str, figures: Counter) -> None:
    """One intended write, sent again (with the same key) until it gets a non-5xx answer."""
    headers = {"Authorization": f"Token {secret}", "Idempotency-Key": str(uuid.uuid4())}
    last = None
    for attempt in range(100):
        if attempt:
            figures["retries"] += 1
            time.sleep(0.02)
        try:
            code, kind, body, answer = server.request(
                "POST", "/api/v1/claims/", claim(summary), headers
            )
        except OSError as error:
            figures["connection errors"] += 1
            last = error
            continue
        last = (code, body[:200])
        if code >= 500:
            figures["5xx answers"] += 1
            figures["HTML answers"] += b"<html" in body.lower()
            figures["5xx not problem+json"] += not kind.startswith("application/problem+json")
            continue
        assert code == 201, (code, body[:300])
        if answer.getheader("Idempotent-Replayed") == "true":
            # A write answered 5xx before had committed: without the key, a duplicate.
            figures["committed although answered 5xx"] += 1
        return
    raise AssertionError(f"{summary!r} never got an answer; the last: {last}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("conn_max_age", [0, 60])
def test_writes_under_killed_connections_answer_json_and_retries_never_duplicate(
    serve, tool_secret, conn_max_age, capsys
):
    server = serve(workers=2, conn_max_age=conn_max_age)
    figures: Counter = Counter()
    stop = threading.Event()

    def killer() -> None:
        # A bounded number of rounds, so that on a busy machine (requests slower than the
        # interval) the writes still get through once the killing ends.
        for _ in range(KILL_ROUNDS):
            if stop.is_set():
                return
            figures["sessions killed"] += server.kill_sessions()
            figures["kill rounds"] += 1
            time.sleep(0.03)

    failures: list[BaseException] = []

    def client(number: int) -> None:
        try:
            for write in range(12):
                write_until_answered(server, tool_secret, f"Battery {number}-{write}.", figures)
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    killing = threading.Thread(target=killer, daemon=True)
    clients = [threading.Thread(target=client, args=(n,)) for n in range(3)]
    killing.start()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(120)
    stop.set()
    killing.join(10)
    connection.close()  # the killer's queries ran on this thread's connection

    summaries = Counter(Claim.objects.values_list("summary", flat=True))
    figures["writes"] = 36
    figures["claims"] = sum(summaries.values())
    figures["duplicates"] = sum(n - 1 for n in summaries.values())
    with capsys.disabled():
        print(f"\nCONN_MAX_AGE={conn_max_age}: {dict(sorted(figures.items()))}")
    assert not failures, failures
    assert figures["sessions killed"] > 0
    assert figures["HTML answers"] == figures["5xx not problem+json"] == 0
    assert (len(summaries), figures["duplicates"]) == (36, 0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_the_server_closed_while_idle_is_replaced_before_the_next_request(
    serve, tool_secret
):
    server = serve(workers=1, conn_max_age=60)
    assert server.request("GET", "/api/v1/actors/")[0] == 200
    assert server.kill_sessions() == 1  # the worker's kept connection, idle

    answers = [server.request("GET", "/api/v1/actors/")[0] for _ in range(3)]

    assert answers == [200, 200, 200]
    assert len(server.sessions()) == 1  # a new one, kept again


def test_the_settings_check_kept_connections_before_reuse(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
