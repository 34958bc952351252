"""Benchmark reads on a streaming replica and archiving per worker; writes bench/RESULTS-REPLICA.md.

    .venv/bin/python bench/replica.py --claims 100000

On a database filled by ``manage.py generate_data`` (created, or reused, like bench/run.py's),
with the streaming replica .ci/replica.sh makes (port 5433):

1. The claim list (``/api/v1/claims/?page_size=50``, anonymous) loaded with wrk while writers
   PATCH claims through the API with a reviewer's token (through a gunicorn of their own, on the
   primary, so that reads do not queue behind writes), once served by a gunicorn reading from
   the replica (DATABASE_REPLICA_URLS) and once by one reading from the primary, under the same
   writes: the reads' req/s and p50/p95, the writes/s, the replica's lag sampled every 0.2 s,
   and the transactions the replica served (pg_stat_database on the replica).
2. Archive throughput per worker: a loopback HTTP server serving pages, N documents pointing at
   it, one ``celery worker -P solo -Q archive`` process: archives per second.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import HOST, OUT, PY, log  # noqa: E402
from bench.database import environment, prepare_database, sql  # noqa: E402
from bench.serving import start_server, stop_server, wait_until_up  # noqa: E402

LUA = ROOT / "bench" / "report.lua"
LIST = "/api/v1/claims/?page_size=50"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--database", default="claimtracker_bench_replica")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--replica", default="", help="replica URL (default: .ci/replica.sh's)")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (reads)")
    parser.add_argument("--writers", type=int, default=2, help="concurrent API writers")
    parser.add_argument("--seconds", type=int, default=30, help="per measured run")
    parser.add_argument("--archives", type=int, default=200)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS-REPLICA.md")
    return parser.parse_args()


def replica_url(args: argparse.Namespace) -> str:
    if args.replica:
        return args.replica
    made = subprocess.run([ROOT / ".ci" / "replica.sh"], capture_output=True, text=True, check=True)
    return made.stdout.strip().splitlines()[-1]


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def reviewer_token() -> str:
    from django.contrib.auth.models import Group, User

    from sources.models import ApiToken

    user, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="reviewers"))
    return ApiToken.issue(user=user, name="replica bench")[1]


# --- Reads under writes -----------------------------------------------------------------------


class Writers:
    """``count`` threads PATCHing random published claims' made_as_stated through the API."""

    def __init__(self, port: int, token: str, ids: list[int], count: int) -> None:
        self.port, self.token, self.ids = port, token, ids
        self.done, self.failed = 0, 0
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.write, daemon=True) for _ in range(count)]

    def write(self) -> None:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {
            "Host": f"{HOST}:{self.port}",
            "Authorization": f"Token {self.token}",
            "Content-Type": "application/json",
        }
        while not self.stop.is_set():
            body = json.dumps({"made_as_stated": f"bench {random.randrange(10**9)}"})
            connection.request("PATCH", f"/api/v1/claims/{random.choice(self.ids)}/", body, headers)
            answer = connection.getresponse()
            answer.read()
            if answer.status == 200:
                self.done += 1
            else:
                self.failed += 1

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


class LagSampler(threading.Thread):
    """The replica's lag every 0.2 s, measured as the router does (claimtracker/replicas.py)."""

    def __init__(self, primary: str, replica: str) -> None:
        super().__init__(daemon=True)
        self.primary, self.replica = primary, replica
        self.samples: list[float] = []
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg2

        primary, replica = psycopg2.connect(self.primary), psycopg2.connect(self.replica)
        primary.autocommit = replica.autocommit = True
        while not self.stop.wait(0.2):
            self.samples.append(self.sample(primary, replica))
        primary.close()
        replica.close()

    @staticmethod
    def sample(primary: object, replica: object) -> float:
        started = time.monotonic()
        with primary.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            (lsn,) = cursor.fetchone()
        with replica.cursor() as cursor:  # type: ignore[attr-defined]
            for _ in range(6):
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
                if cursor.fetchone()[0]:
                    return time.monotonic() - started
                time.sleep(0.01)
            cursor.execute("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())")
            return float(cursor.fetchone()[0])


def replica_transactions(url: str, database: str) -> int:
    rows = sql(url, "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (database,))
    return int(rows[0][0])


def wrk(port: int, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s"]
    command += ["-s", str(LUA), f"http://{HOST}:{port}{LIST}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCHJSON "))
    return json.loads(line.removeprefix("BENCHJSON "))


def reads_under_writes(
    args: argparse.Namespace, env: dict[str, str], token: str, ids: list[int], replica: str
) -> list[dict]:
    primary_db = f"{args.pg}/{args.database}"
    replica_db = f"{replica.rstrip('/')}/{args.database}"
    rows = []
    for served_by, extra in (
        ("replica", {"DATABASE_REPLICA_URLS": replica_db}),
        ("primary", {}),
    ):
        server = start_server("claimtracker.wsgi", args.port, args, env | extra)
        # The writes go through a server of their own, so reads never queue behind them.
        write_server = start_server("claimtracker.wsgi", args.port + 1, args, env)
        try:
            wait_until_up(args.port, LIST, server)
            wait_until_up(args.port + 1, LIST, write_server)
            wrk(args.port, 5, args.connections)  # warm-up: connections, caches, the lag check
            before = replica_transactions(replica, args.database)
            # On the replica's own "postgres" database, so that the bench database's transaction
            # count on the replica is the application's reads alone.
            sampler = LagSampler(primary_db, f"{replica.rstrip('/')}/postgres")
            sampler.start()
            with Writers(args.port + 1, token, ids, args.writers) as writers:
                started = time.monotonic()
                reads = wrk(args.port, args.seconds, args.connections)
                elapsed = time.monotonic() - started
                written, failed = writers.done, writers.failed
            sampler.stop.set()
            sampler.join()
            on_replica = replica_transactions(replica, args.database) - before
        finally:
            stop_server(server)
            stop_server(write_server)
        lags = sorted(sampler.samples) or [0.0]
        row = {
            "served_by": served_by,
            "reads_per_s": reads["requests"] / (reads["duration_us"] / 1e6),
            "p50_ms": reads["p50"] / 1000,
            "p95_ms": reads["p95"] / 1000,
            "non2xx": reads["non2xx"] + reads["socket_errors"],
            "writes_per_s": written / elapsed,
            "write_failures": failed,
            "lag_p95_s": lags[int(0.95 * (len(lags) - 1))],
            "lag_max_s": lags[-1],
            "replica_transactions": on_replica,
        }
        log(json.dumps(row))
        rows.append(row)
    return rows


# --- Archives per worker ----------------------------------------------------------------------


class Page(BaseHTTPRequestHandler):
    body = ("<html><body>" + "A statement as published. " * 400 + "</body></html>").encode()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def archives_per_worker(args: argparse.Namespace, env: dict[str, str]) -> dict:
    from claims.jobs.archiving import archive_document
    from claims.models import Claim
    from sources.models import ArchiveStatus, Document

    server = ThreadingHTTPServer((HOST, 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    publisher = Claim.objects.first().speaker
    run = f"{int(time.time())}"
    documents = Document.objects.bulk_create(
        Document(
            title=f"Archive bench {run} #{i}",
            publisher=publisher,
            url=f"http://{HOST}:{port}/{run}/{i}",
        )
        for i in range(args.archives)
    )
    ids = [d.pk for d in documents]
    media = tempfile.mkdtemp(prefix="replica-bench-media-")
    worker_env = env | {
        "CELERY_BROKER_URL": args.redis,
        "MEDIA_ROOT": media,
        "ARCHIVE_ALLOWED_NETWORKS": "127.0.0.1/32",
        "ARCHIVE_ALLOWED_PORTS": f"80,443,{port}",
    }
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    log_file = (OUT / "replica-bench-worker.log").open("w")
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "claimtracker", "worker", "-P", "solo", "-Q", "archive",
         "-l", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=worker_env, stdout=log_file, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        from claimtracker.celery import app

        app.conf.update(broker_url=args.redis, task_always_eager=False)
        time.sleep(5)  # the worker connects; its start is not what is measured
        Document.objects.filter(pk__in=ids).update(archive_status=ArchiveStatus.PENDING)
        started = time.monotonic()
        for pk in ids:
            archive_document.delay(pk)
        pending = Document.objects.filter(pk__in=ids).exclude(archive_status=ArchiveStatus.ARCHIVED)
        while pending.exists():
            if time.monotonic() - started > 900:
                raise SystemExit("archive bench: not done after 15 minutes")
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        server.shutdown()
    row = {"archives": len(ids), "seconds": elapsed, "archives_per_s": len(ids) / elapsed}
    log(json.dumps(row))
    return row


# --- Results ----------------------------------------------------------------------------------


def write_results(args: argparse.Namespace, data: dict, reads: list[dict], archive: dict) -> None:
    lines = [
        "# Reads on a streaming replica, and archives per worker",
        "",
        f"`bench/replica.py --claims {args.claims}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}:",
        f"{data['counts']['claims_claim']} claims, {data['counts']['claims_changerecord']} change "
        "records; PostgreSQL 5432 and its streaming replica on 5433 (`.ci/replica.sh`) on the same "
        f"machine ({os.cpu_count()} cores, shared with other work: load average "
        f"{os.getloadavg()[0]:.1f} at the end); gunicorn with {args.workers} workers; reads "
        f"by wrk ({args.connections} connections, {args.seconds} s) on `{LIST}` (anonymous) while "
        f"{args.writers} writers PATCH random claims through the API with a reviewer's token "
        "(through a second gunicorn, on the primary). Lag: sampled every 0.2 s as the router "
        "measures it.",
        "",
        "| claim list served by | reads/s | p50 ms | p95 ms | non-2xx | writes/s "
        "| replica lag p95 / max (s) | transactions on the replica |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]  # fmt: skip
    for r in reads:
        lines.append(
            f"| {r['served_by']} | {r['reads_per_s']:.1f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} | {r['non2xx']} | {r['writes_per_s']:.1f} | "
            f"{r['lag_p95_s']:.3f} / {r['lag_max_s']:.3f} | {r['replica_transactions']} |"
        )
    lines += [
        "",
        "| archive throughput | documents | seconds | archives/s per worker |",
        "|---|---:|---:|---:|",
        f"| one `celery worker -P solo -Q archive`, pages from a loopback server "
        f"({len(Page.body)} bytes each) | {archive['archives']} | {archive['seconds']:.1f} | "
        f"{archive['archives_per_s']:.1f} |",
        "",
        "On one machine the replica shares the primary's cores and disk, so these rows show that "
        "the reads leave the primary (the last column: the bench database's transactions on the "
        "replica during the run, none when the primary serves) and that the replica's lag under "
        "these writes stays below REPLICA_MAX_LAG_SECONDS (5 s), so it stays in use; they do not "
        "show the gain a replica on a machine of its own gives. The lag counts the whole "
        "cluster's WAL, the other databases' writes included. Archives/s is one worker's own "
        "cost per page (fetch, SHA-256, the WARC file, storage, the row's update) from a server "
        "that answers at once; a real site's response time adds to each.",
        "",
    ]
    args.results.write_text("\n".join(lines))
    log(f"wrote {args.results}")


def main() -> None:
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    env = environment(args) | {"CACHE_URL": args.redis, "LEDGER_SIGNING_KEY": "be" * 32}
    data = prepare_database(args, env)
    replica = replica_url(args)
    django_setup(env)
    token = reviewer_token()
    from claims.models import Claim

    ids = list(Claim.objects.published().values_list("pk", flat=True)[:5000])
    reads = reads_under_writes(args, env, token, ids, replica)
    archive = archives_per_worker(args, env)
    write_results(args, data, reads, archive)


if __name__ == "__main__":
    main()
