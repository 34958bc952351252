"""Benchmark claimtracker against the floor and a typical DRF peer; writes bench/RESULTS.md.

    make bench                                   # 100k claims, database claimtracker_bench
    .venv/bin/python bench/run.py --claims 1000000 --duration 12

Fills (or reuses) a PostgreSQL database with ``manage.py generate_data``, serves the application
with gunicorn under production settings (plus the peer's route, bench/urls.py) and the floor
(bench/floor.py) with gunicorn too, then loads each contender in turn with wrk on loopback,
round after round, so that drift in the machine touches every contender alike. Install wrk with
``apt-get install wrk`` (Debian/Ubuntu) or ``brew install wrk``; without it a small Python load
generator is used, which saturates a core of its own and understates every contender.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
HOST = "127.0.0.1"
LUA = ROOT / "bench" / "report.lua"


@dataclass
class Contender:
    name: str
    label: str
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
    connections: int | None = None
    rounds: list[dict] = field(default_factory=list)
    # Pages that take over a second are loaded one request at a time by the Python loader, which
    # waits for the last answer: wrk would leave a queue of them behind for the next contender.
    heavy: bool = False

    @property
    def requests(self) -> int:
        return sum(r["requests"] for r in self.rounds)

    @property
    def rps(self) -> float:
        seconds = sum(r["duration_us"] for r in self.rounds) / 1e6
        return self.requests / seconds if seconds else 0.0

    def ms(self, key: str) -> float:
        """A latency percentile in ms: the mean of the rounds' percentiles."""
        return statistics.fmean(r[key] for r in self.rounds) / 1000 if self.rounds else 0.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000, help="claims in the database")
    parser.add_argument("--database", default="claimtracker_bench")
    parser.add_argument("--pg", default=f"postgres://postgres@{HOST}:5432", help="server URL")
    parser.add_argument("--duration", type=float, default=12, help="seconds per contender")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--port", type=int, default=8701, help="the app; the floor uses +1")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Database -------------------------------------------------------------------------------


def environment(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env |= {
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + base64.b64encode(os.urandom(36)).decode(),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_CONN_MAX_AGE": "600",
        "API_THROTTLE_ANON": "100000000/minute",
        "API_THROTTLE_USER": "100000000/minute",
        "PYTHONPATH": str(ROOT),
    }
    return env


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def prepare_database(args: argparse.Namespace, env: dict[str, str]) -> dict[str, object]:
    """Create, migrate and fill the database unless it already holds enough claims."""
    exists = sql(
        f"{args.pg}/postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (args.database,)
    )
    if not exists:
        log(f"creating database {args.database}")
        sql(f"{args.pg}/postgres", f'CREATE DATABASE "{args.database}"')
    manage = [PY, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
    url = env["DATABASE_URL"]
    have = sql(url, "SELECT count(*) FROM claims_claim")[0][0]
    timing_file = OUT / f"generate-{args.database}.json"
    if have < args.claims:
        missing = args.claims - have
        log(f"{have} claims present; generate_data --claims {missing} (progress below)")
        started = time.monotonic()
        subprocess.run([*manage, "generate_data", "--claims", str(missing)], env=env, check=True)
        seconds = time.monotonic() - started
        # generate_data has analysed the tables it filled; VACUUM sets the visibility map that
        # index-only scans need.
        log(f"generate_data took {seconds:.0f} s; VACUUM")
        sql(url, "VACUUM")
        timing_file.write_text(json.dumps({"claims": missing, "seconds": seconds}))
    else:
        log(f"reusing {args.database}: {have} claims already there")
    timing = json.loads(timing_file.read_text()) if timing_file.exists() else None
    counts = {
        table: sql(url, f"SELECT count(*) FROM {table}")[0][0]
        for table in (
            "claims_claim",
            "sources_actor",
            "sources_document",
            "claims_incident",
            "claims_response",
            "claims_attribution",
            "claims_casualtyfigure",
            "claims_changerecord",
        )
    }
    return {"counts": counts, "generate": timing}


# --- Servers --------------------------------------------------------------------------------


def start_server(app: str, port: int, args: argparse.Namespace, env: dict) -> subprocess.Popen:
    gunicorn = str(Path(PY).parent / "gunicorn")
    command = [gunicorn, app, "--bind", f"{HOST}:{port}", "--workers", str(args.workers)]
    command += ["--log-level", "warning", "--timeout", "120"]
    stderr = (OUT / f"gunicorn-{port}.log").open("w")
    # A session of its own, so stopping it stops its workers and nothing else.
    return subprocess.Popen(command, env=env, cwd=ROOT, stderr=stderr, start_new_session=True)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes, float]:
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    started = time.monotonic()
    connection.request("GET", path, headers={"Host": f"{HOST}:{port}", **(headers or {})})
    answer = connection.getresponse()
    body = answer.read()
    elapsed = time.monotonic() - started
    connection.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body, elapsed


def wait_until_up(port: int, path: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on :{port} stopped; see {OUT}/gunicorn-{port}.log")
        try:
            fetch(port, path)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on :{port} did not answer within 60 s")


# --- What to load ---------------------------------------------------------------------------


def drf_cursor(position: str, offset: int = 0) -> str:
    tokens = {"o": str(offset)} if offset else {}
    tokens["p"] = position
    return quote(base64.b64encode(urlencode(tokens).encode()).decode(), safe="")


def search_terms(url: str) -> dict[str, tuple[str, int]]:
    """A rare, a medium and a common term, and a phrase, with how many published claims match.

    The synthetic text draws on a vocabulary of 18 words, so every single word is common; the
    medium term is three of them together, and the phrase the same three words in that order.
    """
    candidates = {
        "rare": "Latakia",  # only in incident titles and places
        "medium": "hospital convoy market",  # all three words: a few claims in a hundred
        "common": "airstrike",  # in most synthetic summaries and quotes
        "phrase": '"hospital convoy market"',  # in that order: about one claim in four hundred
    }
    vector = "search_vector"  # the stored column of claims/migrations/0006_search_vectors.py
    found = {}
    for name, term in candidates.items():
        query = (
            "SELECT count(*) FROM claims_claim WHERE status = 'published' "
            f"AND {vector} @@ websearch_to_tsquery('english', %s)"
        )
        found[name] = (term, sql(url, query, (term,))[0][0])
    return found


def contenders(args: argparse.Namespace, env: dict, facts: dict) -> list[Contender]:
    url, app, floor = env["DATABASE_URL"], args.port, args.port + 1
    published = sql(url, "SELECT count(*) FROM claims_claim WHERE status = 'published'")[0][0]
    depth = min(500_000, int(published * 0.9))
    (position,) = sql(
        url,
        "SELECT made_on::text FROM claims_claim WHERE status = 'published' "
        "ORDER BY made_on DESC, id DESC OFFSET %s LIMIT 1",
        (depth,),
    )[0]
    facts["deep_rows_in"] = depth
    incidents = sql(
        url,
        "SELECT i.slug, count(c.id) FROM claims_incident i JOIN claims_claim c "
        "ON c.incident_id = i.id AND c.status = 'published' GROUP BY i.slug ORDER BY 2, 1",
    )
    median_slug, median_n = incidents[len(incidents) // 2]
    p99_slug, p99_n = incidents[int(len(incidents) * 0.99)]
    busiest_slug, busiest_n = incidents[-1]
    (claim_id,) = sql(
        url,
        "SELECT r.answers_id FROM claims_response r JOIN claims_claim c ON c.id = r.answers_id "
        "WHERE c.status = 'published' ORDER BY r.id LIMIT 1",
    )[0]
    facts["search"] = terms = search_terms(url)
    facts["incidents"] = {"median": median_n, "p99": p99_n, "busiest": busiest_n}
    api = "/api/v1/claims/"
    result = [
        Contender("ours", "our API: nested claim list, 50 per page", app, api),
        Contender("floor", "floor: one SQL query builds the JSON (bench/floor.py)", floor, "/"),
        Contender(
            "peer", "typical peer: DRF ModelSerializer + page numbers", app, "/bench/peer/claims/"
        ),
        Contender(
            "deep",
            f"our API: cursor page ~{depth:,} rows in",
            app,
            f"{api}?cursor={drf_cursor(position)}",
        ),
    ]
    for name, (term, hits) in terms.items():
        path = f"/api/v1/search/?{urlencode({'q': term})}"
        label = f"search API, {name} term {term} ({hits:,} claims match)"
        result.append(Contender(f"search_{name}", label, app, path))
        # The latency a searcher sees when the servers are busy but not queueing: as many
        # connections as workers. With 8 connections on 2 workers a request waits for 3 others.
        result.append(
            Contender(
                f"search_{name}_latency",
                f"{label}, {args.workers} connections",
                app,
                path,
                connections=args.workers,
            )
        )
    result += [
        Contender("timeline_html", "timeline page (HTML), first page", app, "/timeline/"),
        Contender(
            "incident_html",
            f"incident page (HTML), median incident ({median_n} claims)",
            app,
            f"/incidents/{median_slug}/",
        ),
        Contender(
            "incident_p99_html",
            f"incident page (HTML), 99th-percentile incident ({p99_n} claims)",
            app,
            f"/incidents/{p99_slug}/",
        ),
        Contender(
            "busiest_html",
            f"incident page (HTML), busiest incident ({busiest_n} claims)",
            app,
            f"/incidents/{busiest_slug}/",
            connections=2,
        ),
        Contender("claim_html", "claim page (HTML), full render", app, f"/claims/{claim_id}/"),
        Contender("claim_api", "claim detail (API), full", app, f"{api}{claim_id}/"),
    ]
    return result


def add_revalidations(items: list[Contender], facts: dict) -> None:
    """A 304 contender for each full page that offers a validator and honours it."""
    facts["revalidation"] = {}
    for full in [c for c in items if c.name in ("claim_html", "claim_api", "incident_html")]:
        _, headers, _, _ = fetch(full.port, full.path)
        conditional = {}
        if "etag" in headers:
            conditional["If-None-Match"] = headers["etag"]
        if "last-modified" in headers:
            conditional["If-Modified-Since"] = headers["last-modified"]
        answer = fetch(full.port, full.path, conditional)[0] if conditional else None
        facts["revalidation"][full.name] = {"validators": sorted(conditional), "answer": answer}
        if answer == 304:
            items.append(
                Contender(
                    f"{full.name}_304",
                    f"{full.label}: 304 revalidation",
                    full.port,
                    full.path,
                    conditional,
                    expect=304,
                )
            )


# --- Load -----------------------------------------------------------------------------------


def run_wrk(c: Contender, seconds: float, args: argparse.Namespace) -> dict:
    command = ["wrk", "-t", str(args.threads), "-c", str(c.connections or args.connections)]
    command += ["-d", f"{max(1, round(seconds))}s", "--timeout", "60s", "-s", str(LUA)]
    for key, value in c.headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(f"http://{HOST}:{c.port}{c.path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCHJSON "))
    return json.loads(line.removeprefix("BENCHJSON "))


def run_python(c: Contender, seconds: float, args: argparse.Namespace) -> dict:
    """Fallback load generator: keep-alive connections in threads, latencies in microseconds."""
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds
    headers = {"Host": f"{HOST}:{c.port}", **c.headers}

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, c.port, timeout=60)
        while time.monotonic() < deadline:
            started = time.monotonic()
            connection.request("GET", c.path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            latencies.append((time.monotonic() - started) * 1e6)
            errors[0] += answer.status >= 400

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(c.connections or args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies),
        "duration_us": duration * 1e6,
        "p50": q[49],
        "p95": q[94],
        "p99": q[98],
        "non2xx": errors[0],
        "socket_errors": 0,
    }


def measure(items: list[Contender], args: argparse.Namespace) -> str:
    loader, tool = (run_wrk, "wrk") if shutil.which("wrk") else (run_python, "python")
    if tool == "python":
        log("wrk not found (apt-get install wrk); using the slower Python load generator")
    for c in items:  # warm caches, connections and each worker's imports
        if not c.heavy:
            loader(c, 2, args)
            time.sleep(0.5)
    per_round = args.duration / args.rounds
    for number in range(1, args.rounds + 1):
        for c in items:
            result = run_python(c, per_round, args) if c.heavy else loader(c, per_round, args)
            time.sleep(0.5)  # let the last answers of this contender drain
            c.rounds.append(result)
            log(
                f"round {number} {c.name:<22} "
                f"{result['requests'] / result['duration_us'] * 1e6:9.1f} req/s "
                f"p50 {result['p50'] / 1000:7.1f} ms  p99 {result['p99'] / 1000:7.1f} ms"
                + (f"  {result['non2xx']} non-2xx/3xx!" if result["non2xx"] else "")
            )
    return tool


# --- Report ---------------------------------------------------------------------------------


def machine(url: str) -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if x.startswith("model name")
        ),
        platform.processor(),
    )
    versions = subprocess.run(
        [
            PY,
            "-c",
            "import django, rest_framework, gunicorn; print("
            "django.__version__, rest_framework.__version__, gunicorn.__version__)",
        ],
        capture_output=True,
        text=True,
    ).stdout.split()
    wrk = (
        subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        if shutil.which("wrk")
        else None
    )
    return {
        "cpus": f"{os.cpu_count()} × {cpu}",
        "memory": f"{int(meminfo) / 1024 / 1024:.1f} GiB",
        "postgresql": sql(url, "SHOW server_version")[0][0],
        "python": platform.python_version(),
        "django / DRF / gunicorn": " / ".join(versions),
        "load generator": (wrk.stdout or wrk.stderr).split("[")[0].strip() if wrk else "python",
        "os": platform.platform(),
    }


def div(a: float, b: float) -> float:
    return a / b if b else float("nan")


def report(
    items: list[Contender], facts: dict, args: argparse.Namespace, env: dict, tool: str
) -> str:
    by = {c.name: c for c in items}
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/run.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
    ]
    lines += ["## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine(env["DATABASE_URL"]).items()]
    counts = facts["db"]["counts"]
    gen = facts["db"]["generate"]
    lines += ["", "## Data", ""]
    lines.append(", ".join(f"{n:,} {t.split('_', 1)[1]}" for t, n in counts.items()) + ".")
    if gen:
        rate = gen["claims"] / gen["seconds"]
        lines.append(
            f"`generate_data --claims {gen['claims']:,}` took {gen['seconds']:.0f} s "
            f"({rate:,.0f} claims/s, history triggers on); at that rate 1,000,000 claims would "
            f"take about {1_000_000 / rate / 60:.0f} min."
        )
    lines += ["", "## Set-up", ""]
    lines.append(
        f"gunicorn, {args.workers} sync workers per server, production settings (DEBUG off, "
        "persistent connections, throttle limits raised out of the way), on loopback; "
        f"{tool} with {args.threads} threads and {args.connections} connections; "
        f"{args.rounds} interleaved rounds, "
        f"{args.duration:g} s per contender in all after a 2 s warm-up. Latency percentiles "
        "are the mean of the rounds' percentiles; requests/s is all requests over all time."
    )
    lines.append(
        "Pages whose first answer took over a second are marked *(1 conn.)*: they are loaded "
        "one request at a time by the Python loader, so that no queue of them is left behind."
    )
    lines += [
        "",
        "## Contenders",
        "",
        "| contender | req/s | p50 ms | p95 ms | p99 ms | bytes | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in items:
        bad = sum(r["non2xx"] + r["socket_errors"] for r in c.rounds)
        label = f"{c.label} *(1 conn.)*" if c.heavy else c.label
        lines.append(
            f"| {label} | {c.rps:,.1f} | {c.ms('p50'):.1f} | {c.ms('p95'):.1f} | "
            f"{c.ms('p99'):.1f} | {facts['sizes'].get(c.name, 0):,} | {bad} |"
        )
    lines += [
        "",
        "## Ratios against issue 7's targets",
        "",
        "| ratio | measured | target | met |",
        "|---|---:|---:|---|",
    ]

    def row(name: str, value: float | None, target: str, met: bool | None) -> None:
        shown = "n/a" if value is None else f"{value:.2f}"
        verdict = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {shown} | {target} | {verdict} |")

    ours, floor, peer = by["ours"], by["floor"], by["peer"]
    value = div(ours.rps, floor.rps)
    row("ours / floor (req/s)", value, "≥ 0.5", value >= 0.5)
    value = div(ours.rps, peer.rps)
    row("ours / typical peer (req/s)", value, "≥ 5", value >= 5)
    deep = div(by["deep"].ms("p95"), ours.ms("p95"))
    row(
        f"deep page ({facts['deep_rows_in']:,} rows in) / first page (p95)",
        deep,
        "≤ 1.5",
        deep <= 1.5,
    )
    html = div(by["timeline_html"].rps, ours.rps)
    row("HTML timeline / JSON list (req/s)", html, "≥ 0.5", html >= 0.5)
    for name in ("rare", "medium", "common", "phrase"):
        p95 = by[f"search_{name}_latency"].ms("p95")
        row(
            f"search p95, {name} term, {args.workers} connections "
            f"(ms, {counts['claims_claim']:,} claims)",
            p95,
            "≤ 25 at 1M",
            p95 <= 25,
        )
    for full in ("claim_html", "claim_api", "incident_html"):
        seen = facts["revalidation"][full]
        if f"{full}_304" in by:
            value = div(by[f"{full}_304"].rps, by[full].rps)
            row(f"304 / full render, {by[full].label} (req/s)", value, "≥ 5", value >= 5)
        else:
            why = (
                "no ETag or Last-Modified"
                if not seen["validators"]
                else f"{', '.join(seen['validators'])} sent back, answered {seen['answer']}"
            )
            lines.append(f"| 304 / full render, {by[full].label} | none: {why} | ≥ 5 | **no** |")
    return "\n".join(lines) + "\n"


def main() -> None:
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    env = environment(args)
    facts: dict = {"db": prepare_database(args, env)}
    servers = [
        start_server("claimtracker.wsgi", args.port, args, env),
        start_server("bench.floor:app", args.port + 1, args, env),
    ]
    try:
        wait_until_up(args.port, "/healthz", servers[0])
        wait_until_up(args.port + 1, "/", servers[1])
        items = contenders(args, env, facts)
        add_revalidations(items, facts)
        facts["sizes"] = {}
        for c in items:
            status, _, body, elapsed = fetch(c.port, c.path, c.headers)
            if status != c.expect:
                raise SystemExit(f"{c.name}: {c.path} answered {status}, expected {c.expect}")
            facts["sizes"][c.name] = len(body)
            if elapsed > 1.0:
                c.heavy, c.connections = True, 1
            log(f"checked {c.name:<22} {status} {len(body):>8} bytes {elapsed * 1000:8.1f} ms")
        tool = measure(items, args)
    finally:
        for server in servers:
            stop_server(server)
    text = report(items, facts, args, env, tool)
    args.results.write_text(text)
    (OUT / "facts.json").write_text(json.dumps(facts, indent=2, default=str))
    print(text)
    log(f"wrote {args.results}")


if __name__ == "__main__":
    main()
