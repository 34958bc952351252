"""CI: `make stack` on a fresh PostgreSQL database and Redis, checked end to end, then stopped.

It waits for /healthz (which needs a worker to have run the heartbeat beat queued), archives one
URL of a local HTTP server through the API and a worker, checks that beat sent its periodic
task, that the logs are JSON lines naming request ids (the API request's id in the worker's
lines too), and stops everything it started whatever happens (an error, Ctrl-C, SIGTERM).

With ``TEST_REPLICA_URL`` (a streaming replica of the primary, as ``.ci/replica.sh`` makes and
``.ci/run`` exports) the stack also reads from it (``DATABASE_REPLICA_URLS``): /healthz must show
the replica in use, anonymous API reads must be served by it (the replica's own count of
transactions in the stack's database grows by several per read, and by more than the
primary's), and a token's read right after its write must see the row it wrote.

Usage: .venv/bin/python .ci/stack_check.py   (PostgreSQL on 127.0.0.1:5432, Redis on :6379)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DATABASE = "claimtracker_stack"
PG = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
BROKER = "redis://127.0.0.1:6379/8"
CACHE = "redis://127.0.0.1:6379/9"
PAGE = b"<!doctype html><title>stack check</title><p>Archived by the stack check.</p>\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], object], what: str, seconds: float, alive: Callable) -> object:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        alive()
        result = check()
        if result:
            return result
        time.sleep(1)
    raise SystemExit(f"stack check: timed out after {seconds:.0f} s waiting for {what}")


def http(method: str, url: str, body: dict | None = None, token: str = "") -> tuple:
    """(status, headers, parsed JSON body) of one request; errors are answers too."""
    request = urllib.request.Request(url, method=method)
    if body is not None:
        request.data = json.dumps(body).encode()
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, {}, None


class Stack:
    """Everything started here, each in its own process group, stopped in reverse order."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.processes: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        out = (self.work / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append((name, process))
        return process

    def log(self, name: str) -> str:
        return (self.work / f"{name}.log").read_text(errors="replace")

    def alive(self) -> None:
        for name, process in self.processes:
            if process.poll() is not None:
                print(self.log(name)[-6000:])
                raise SystemExit(f"stack check: {name} exited with {process.returncode}")

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            # honcho starts each of its processes in a session of its own, so the group of
            # make holds neither gunicorn nor the worker: whatever still runs below it is
            # found by parentage first, while it still has its parent, and killed last.
            below = descendants(process.pid)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    print(f"stack check: {name} did not stop on SIGTERM; killing it")
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
            # Anything its group left behind (a gunicorn or celery child) goes too.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            for pid in below:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` now, in whatever group or session, from /proc's parentage."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # The command name, in brackets, may hold spaces: the fields after it are fixed.
            fields = stat.read_text().rpartition(")")[2].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"stack check: manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def json_lines(text: str) -> list[dict]:
    """The JSON objects of honcho's output ("12:00:00 web.1 | {...}")."""
    lines = []
    for line in text.splitlines():
        _, bar, rest = line.partition(" | ")
        if bar and rest.startswith("{"):
            lines.append(json.loads(rest))
    return lines


def check(stack: Stack, env: dict[str, str], web: str, site_port: int) -> None:
    started = time.monotonic()
    wait_for(lambda: http("GET", f"{web}/healthz")[0] == 200, "/healthz", 180, stack.alive)
    print(f"stack check: /healthz answered 200 after {time.monotonic() - started:.0f} s")
    status, _, full = http("GET", f"{web}/healthz?full=1")
    print(f"stack check: /healthz?full=1 {status} {json.dumps(full['checks'])}")
    assert set(full["checks"]) == {"database", "storage", "broker", "worker", "cache"}, full
    assert all(check["ok"] for check in full["checks"].values()), full

    manage(env, "create_editor", "--username", "stack-check")
    token = manage(env, "api_token", "issue", "--user", "stack-check", "--name", "stack check")
    token = token.strip().splitlines()[-1]
    actor = {"name": "Stack check outlet", "slug": "stack-check", "kind": "media_outlet"}
    status, _, _ = http("POST", f"{web}/api/v1/actors/", actor, token)
    assert status == 201, status
    url = f"http://127.0.0.1:{site_port}/page.html"
    document = {
        "title": "A page the stack check archives",
        "source_url": url,
        "publisher": "stack-check",
        "language": "en",
        "published_on": "2017-09-26",
        "published_precision": "day",
    }
    status, headers, created = http("POST", f"{web}/api/v1/documents/", document, token)
    assert status == 201, (status, created)
    request_id = headers["X-Request-ID"]

    def archived() -> dict | None:
        answer = http("GET", f"{web}/api/v1/documents/{created['id']}/", token=token)[2]
        return answer if answer and answer["archive_status"] not in ("pending", "") else None

    result = wait_for(archived, "the worker to archive the page", 90, stack.alive)
    assert result["archive_status"] == "archived", result
    assert result["archive_sha256"] == hashlib.sha256(PAGE).hexdigest(), result
    print(f"stack check: {url} archived by the worker, SHA-256 {result['archive_sha256'][:16]}…")

    if os.environ.get("TEST_REPLICA_URL"):
        check_replica(web, token, full)

    output = stack.log("stack")
    assert "Sending due task worker-heartbeat" in output, "beat sent no heartbeat"
    heartbeats = output.count("Sending due task worker-heartbeat")
    print(f"stack check: beat sent the heartbeat {heartbeats} time(s); {full['checks']['worker']}")

    lines = json_lines(output)
    request_lines = [line for line in lines if line["logger"] == "claimtracker.request"]
    assert request_lines, "no JSON request lines in the web's output"
    named = [line for line in lines if line["request_id"] == request_id]
    tasks = [line for line in named if line["message"].startswith("Task ")]
    assert tasks, f"no worker line names the API request's id {request_id}"
    print(
        f"stack check: {len(lines)} JSON log lines, {len(request_lines)} request lines; "
        f"request {request_id} is named by {len(tasks)} worker line(s)"
    )


def transactions(url: str) -> int:
    """Transactions committed in the stack's database on the server at ``url`` (its own count:
    a hot standby counts the read-only transactions it serves, not those it replays)."""
    query = f"select xact_commit from pg_stat_database where datname = '{DATABASE}'"
    done = subprocess.run(
        ["psql", f"{url}/postgres", "-Atqc", query], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip() or 0)


def check_replica(web: str, token: str, full: dict) -> None:
    replica = os.environ["TEST_REPLICA_URL"]
    shown = full.get("replicas", {}).get("replica_1")
    assert shown, f"/healthz does not show replica_1: {full}"
    assert shown["in_use"], f"/healthz shows replica_1 out of use: {shown}"
    print(f"stack check: /healthz shows the replica: {json.dumps(shown)}")

    # Read-your-writes: the token that writes reads the primary for a few seconds after.
    actor = {"name": "Stack check agency", "slug": "stack-check-agency", "kind": "media_outlet"}
    status, _, _ = http("POST", f"{web}/api/v1/actors/", actor, token)
    assert status == 201, status
    status, _, seen = http("GET", f"{web}/api/v1/actors/stack-check-agency/", token=token)
    assert status == 200, (status, seen)
    assert seen["slug"] == "stack-check-agency", seen

    # Anonymous reads go to the replica: each costs it a few transactions (the head's look-up,
    # the list's queries; 4 each when measured), where the rest of the stack sends it only the
    # web processes' lag checks, at most one a second each. The primary meanwhile serves the
    # worker's heartbeats and beat, a steady trickle (24 in one CI run), never the reads.
    # Statistics reach pg_stat_database within a second or so of a backend going idle.
    primary = "postgres://postgres@127.0.0.1:5432"
    before_replica, before_primary = transactions(replica), transactions(primary)
    reads = 50
    for number in range(reads):
        status, _, _ = http("GET", f"{web}/api/v1/claims/?page_size={number % 200 + 1}")
        assert status == 200, status
    wait_for(
        lambda: transactions(replica) - before_replica >= 2 * reads or None,
        "the replica to count the anonymous reads",
        20,
        lambda: None,
    )
    on_replica = transactions(replica) - before_replica
    on_primary = transactions(primary) - before_primary
    assert on_primary < on_replica, (on_primary, on_replica)
    print(
        f"stack check: {reads} anonymous API reads: {on_replica} transactions on the replica, "
        f"{on_primary} on the primary; a token's read after its write saw the row"
    )


def main() -> None:
    # SIGTERM and SIGHUP end the run like Ctrl-C does: through the finally below.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda number, frame: sys.exit(128 + number))
    work = Path(tempfile.mkdtemp(prefix="claimtracker-stack-"))
    stack = Stack(work)
    database_created = False
    try:
        subprocess.run([*PG, "-c", f"drop database if exists {DATABASE}"], check=True)
        subprocess.run([*PG, "-c", f"create database {DATABASE}"], check=True)
        database_created = True
        for url in (BROKER, CACHE):
            redis.Redis.from_url(url).flushdb()
        (work / "site").mkdir()
        (work / "site" / "page.html").write_bytes(PAGE)
        site_port, web_port = free_port(), free_port()
        serve = [PY, "-m", "http.server", str(site_port), "--bind", "127.0.0.1"]
        stack.start("site", [*serve, "--directory", str(work / "site")], dict(os.environ))
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "stack-check-only-not-secret-0123456789abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "CELERY_BROKER_URL": BROKER,
            "CACHE_URL": CACHE,
            "MEDIA_ROOT": str(work / "media"),
            "STATIC_ROOT": str(work / "static"),
            "BEAT_SCHEDULE_FILE": str(work / "celerybeat-schedule"),
            "LOG_FORMAT": "json",
            "HEALTH_HEARTBEAT_SECONDS": "5",
            "ARCHIVE_ALLOWED_NETWORKS": "127.0.0.1/32",
            "ARCHIVE_ALLOWED_PORTS": f"80,443,{site_port}",
            "WEB_CONCURRENCY": "2",
        }
        if replica := os.environ.get("TEST_REPLICA_URL"):
            env["DATABASE_REPLICA_URLS"] = f"{replica}/{DATABASE}"
        stack.start("stack", ["make", "stack", f"PORT={web_port}"], env)
        check(stack, env, f"http://127.0.0.1:{web_port}", site_port)
        print("stack check: passed")
    except BaseException:
        if stack.processes and (work / "stack.log").exists():
            print("--- the stack's last output ---")
            print(stack.log("stack")[-8000:])
        raise
    finally:
        stack.stop()
        if database_created:
            subprocess.run([*PG, "-c", f"drop database if exists {DATABASE}"], check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
