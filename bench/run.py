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
import json
import sys
from pathlib import Path

# Run as a script, Python puts bench/ on the path, not the project root the bench package is in;
# the imports below come after this line (E402 is off for this file in pyproject.toml).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import HOST, OUT, ROOT, log
from bench.contenders import add_revalidations, contenders
from bench.database import environment, prepare_database
from bench.load import measure
from bench.results import report
from bench.serving import fetch, start_server, stop_server, wait_until_up


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
    parser.add_argument(
        "--cache",
        default=f"redis://{HOST}:6379/10",
        help="a Redis database of the bench's own, emptied at the start: both servers' cache",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    return parser.parse_args()


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
        facts["sizes"], facts["first_ms"] = {}, {}
        facts["second_ms"], facts["dropped"] = {}, {}
        for c in list(items):
            try:
                status, _, body, elapsed = fetch(c.port, c.path, c.headers)
            except OSError as error:
                # Past the servers' timeout (120 s) gunicorn restarts the worker: a page that
                # cannot be built in that time is reported as such, and the run goes on.
                facts["dropped"][c.name] = f"{c.label}: no answer ({error})"
                items.remove(c)
                log(f"dropped {c.name}: {error}")
                continue
            # The first answer builds what a page keeps per record state; later ones reuse it
            # from the shared cache (--cache), whichever worker answers. The faster of two more
            # is what the load below meets, and decides whether the page is loaded as heavy.
            facts["first_ms"][c.name] = elapsed * 1000
            if status != c.expect:
                raise SystemExit(f"{c.name}: {c.path} answered {status}, expected {c.expect}")
            facts["sizes"][c.name] = len(body)
            again = fetch(c.port, c.path, c.headers)[3]
            if 1.0 < again < 5.0:  # over 5 s twice is heavy whichever worker answered
                again = min(again, fetch(c.port, c.path, c.headers)[3])
            facts["second_ms"][c.name] = again * 1000
            if again > 1.0:
                c.heavy, c.connections = True, 1
            log(
                f"checked {c.name:<22} {status} {len(body):>8} bytes {elapsed * 1000:8.1f} ms"
                f" first, {again * 1000:8.1f} ms again"
            )
        # After the first answers, so that each full page's first answer is its build.
        before = len(items)
        add_revalidations(items, facts)
        for c in items[before:]:
            facts["first_ms"][c.name] = facts["second_ms"][c.name] = (
                fetch(c.port, c.path, c.headers)[3] * 1000
            )
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
