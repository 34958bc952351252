"""The bench database: created, migrated and filled by ``manage.py generate_data`` once."""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import time

import psycopg2
import redis

from bench import HOST, OUT, PY, ROOT, log


def environment(args: argparse.Namespace) -> dict[str, str]:
    """The servers' environment: production settings on the bench's database and cache.

    With ``args.cache`` (bench/run.py) the cache is shared by every worker, as production's
    Redis is (README, "Kept per state of the record"): one build of a kept page serves them all.
    It is emptied here, so that each page's first answer in the run is a build. Without it
    (bench/memory.py) each process keeps its own, and a CACHE_URL of the caller's is not used.
    """
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    if cache := getattr(args, "cache", None):
        redis.Redis.from_url(cache).flushdb()
        env["CACHE_URL"] = cache
    env |= {
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + base64.b64encode(os.urandom(36)).decode(),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_CONN_MAX_AGE": "600",
        "API_THROTTLE_ANON": "100000000/minute",
        "API_THROTTLE_USER": "100000000/minute",
        # Every contender's requests come from one address: the page limit would answer 429.
        "PAGE_THROTTLE": "off",
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
        # VACUUM sets the visibility map that index-only scans need; ANALYZE also reaches the
        # tables generate_data did not fill itself (the history, written by triggers).
        log(f"generate_data took {seconds:.0f} s; VACUUM ANALYZE")
        sql(url, "VACUUM ANALYZE")
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
