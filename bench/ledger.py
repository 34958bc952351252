"""Benchmark the history's Merkle tree at scale; writes bench/RESULTS-LEDGER.md.

    .venv/bin/python bench/ledger.py --records 4000000

Fills a PostgreSQL database's history with RECORDS change records shaped like generate_data's
(a claim's row image each, correctly chained), written by COPY in batches so the tree's trigger
builds the tree as it would for a bulk import. Then measures, on that history: what the tree adds
to one write (single-row writes through the real recording trigger, the tree's trigger on and
off), the signed head, inclusion and consistency proofs (p50/p95, and their size in hashes
against log2 n), and exporting the whole history and checking it with the standalone verifier.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=4_000_000)
    parser.add_argument("--database", default="claimtracker_ledger_bench")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--export", type=Path, default=Path("/tmp/ledger-bench-export.jsonl"))
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS-LEDGER.md")
    return parser.parse_args()


def log(message: str) -> None:
    print(f"[ledger bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def setup(args: argparse.Namespace) -> dict[str, str]:
    import psycopg2

    admin = psycopg2.connect(f"{args.pg}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.database])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{args.database}"')
    admin.close()
    env = os.environ | {
        "DATABASE_URL": f"{args.pg}/{args.database}",
        "DJANGO_SETTINGS_MODULE": "claimtracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": "ledger-bench-not-secret",
        "LEDGER_SIGNING_KEY": "be" * 32,
    }
    subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v0"], env=env, cwd=ROOT, check=True)
    os.environ.update(env)
    import django

    django.setup()
    return env


def _image(i: int) -> str:
    return json.dumps(
        {
            "id": i,
            "uid": hashlib.md5(str(i).encode()).hexdigest(),
            "kind": "casualty_count",
            "summary": f"Claim {i}: a spokesman says civilians were killed in strikes last week.",
            "quote": "Our members recovered the bodies of civilians after the strikes.",
            "quote_language": "en",
            "made_on": "2017-09-26",
            "made_precision": "week",
            "status": "published",
            "speaker_id": i % 50_000 + 1,
            "incident_id": i % 20_000 + 1,
            "version": 1,
        },
        separators=(",", ":"),
    )


def fill(target: int) -> float:
    """Append synthetic, correctly chained change records until the history holds ``target``."""
    from django.db import connection

    from claims.models import ChangeRecord

    have = ChangeRecord.objects.count()
    if have >= target:
        return 0.0
    last = ChangeRecord.objects.order_by("-id").values_list("hash", flat=True).first()
    previous = last or "0" * 64
    log(f"{have:,} change records; appending {target - have:,} by COPY")
    started = time.perf_counter()
    batch = 250_000
    columns = "table_name, record_id, operation, user_id, context, recorded_at, "
    columns += "state_before, state_after, prev_hash, hash"
    for start in range(have, target, batch):
        buffer = io.StringIO()
        for i in range(start, min(start + batch, target)):
            at = f"2026-12-01T{i // 3_600_000 % 24:02}:{i // 60_000 % 60:02}:{i // 1000 % 60:02}."
            at += f"{i % 1000:03}000Z"
            parts = [previous, "claims_claim", str(i), "INSERT", "", "import", at, "", _image(i)]
            h = hashlib.sha256("|".join(parts).encode()).hexdigest()
            row = [*parts[1:], previous, h]
            buffer.write("\t".join(p.replace("\\", "\\\\") for p in row) + "\n")
            previous = h
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY claims_changerecord ({columns}) FROM STDIN", buffer)
        log(f"  {min(start + batch, target):,}")
    return time.perf_counter() - started


def per_write(rounds: int = 6, samples: int = 50) -> dict[str, float]:
    """Single-row writes through the recording trigger, rounds with the tree's trigger off and
    on interleaved (so drift in the machine touches both); and the tree trigger's own time, as
    EXPLAIN ANALYZE reports it for one appended record (rolled back)."""
    from django.db import connection, transaction

    from claims.ledger import tree

    times: dict[str, list[float]] = {"off": [], "on": []}
    for n in range(rounds * 2):
        state = "off" if n % 2 == 0 else "on"
        action = "DISABLE" if state == "off" else "ENABLE"
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE claims_changerecord {action} TRIGGER ct_tree_extend")
        for i in range(samples):
            slug = f"bench-{state}-{time.time_ns()}-{i}"
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO sources_actor (name, slug, kind, country, description, "
                    "wikidata_id, created_at, updated_at) "
                    "VALUES (%s, %s, 'organisation', '', '', '', now(), now())",
                    [slug, slug],
                )
            times[state].append((time.perf_counter() - began) * 1000)
        if state == "off":
            # The writes made with the tree off become leaves, as migrate would make them.
            tree.extend()
    result = {}
    for state, values in times.items():
        result[state] = statistics.mean(values)
        result[f"{state}_p95"] = statistics.quantiles(values, n=20)[-1]
    trigger = []
    for i in range(200):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO claims_changerecord (table_name, "
                "record_id, operation, user_id, context, recorded_at, state_before, "
                "state_after, prev_hash, hash) VALUES ('bench', %s, 'INSERT', '', 'bench', "
                "'', '', '{}', '', md5(random()::text) || md5(random()::text))",
                [str(i)],
            )
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            found = [t for t in plan[0]["Triggers"] if t["Trigger Name"] == "ct_tree_extend"]
            trigger.append(found[0]["Time"])
            transaction.set_rollback(True)
    result["trigger"] = statistics.mean(trigger)
    result["trigger_p95"] = statistics.quantiles(trigger, n=20)[-1]
    return result


def proofs(samples: int = 1000) -> dict[str, float]:
    from claims.ledger import heads, tree
    from claims.models import TreeNode

    size = tree.size()
    rng = random.Random(18)
    out: dict[str, float] = {"size": size}
    timed: dict[str, list[float]] = {"head": [], "inclusion": [], "consistency": []}
    lengths: dict[str, list[int]] = {"inclusion": [], "consistency": []}
    records = [
        TreeNode.objects.get(level=0, position=rng.randrange(size)).record_id
        for _ in range(samples)
    ]
    for record_id in records:
        began = time.perf_counter()
        index = tree.leaf_of(record_id)
        path = tree.inclusion_proof(index, size)
        timed["inclusion"].append((time.perf_counter() - began) * 1000)
        lengths["inclusion"].append(len(path))
        old = rng.randrange(1, size)
        began = time.perf_counter()
        path = tree.consistency_proof(old, size)
        timed["consistency"].append((time.perf_counter() - began) * 1000)
        lengths["consistency"].append(len(path))
    for _ in range(200):
        began = time.perf_counter()
        heads.sign(tree.size())
        timed["head"].append((time.perf_counter() - began) * 1000)
    for name, values in timed.items():
        out[f"{name}_p50"] = statistics.median(values)
        out[f"{name}_p95"] = statistics.quantiles(values, n=20)[-1]
    for name, values in lengths.items():
        out[f"{name}_mean"] = statistics.mean(values)
        out[f"{name}_max"] = max(values)
    out["log2"] = math.log2(size)
    return out


def export_and_verify(path: Path) -> dict[str, float]:
    from django.core.management import call_command

    from claims.ledger import heads

    began = time.perf_counter()
    call_command("export_ledger", str(path), verbosity=0)
    exported = time.perf_counter() - began
    public = heads.public_key_hex()
    began = time.perf_counter()
    run = subprocess.run(
        [
            PY,
            str(ROOT / "verifier" / "claimtracker_verify.py"),
            "history",
            str(path),
            "--public-key",
            public,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    verified = time.perf_counter() - began
    log(run.stdout.strip() or run.stderr.strip())
    size = path.stat().st_size
    path.unlink()
    return {"export_s": exported, "verify_s": verified, "bytes": size, "ok": run.returncode == 0}


def main() -> None:
    args = parse_args()
    setup(args)
    from claims.models import TreeNode

    filled = fill(args.records)
    kept = ROOT / "bench" / "out" / "ledger-fill.json"
    if filled:
        kept.parent.mkdir(exist_ok=True)
        kept.write_text(json.dumps({"seconds": filled, "records": args.records}))
    elif kept.is_file():
        filled = json.loads(kept.read_text())["seconds"]
    nodes = TreeNode.objects.count()
    log("single writes")
    writes = per_write()
    log("proofs")
    proof = proofs()
    log("export and verify")
    checked = export_and_verify(args.export)
    write_results(args, filled, nodes, writes, proof, checked)


def write_results(args, filled, nodes, writes, proof, checked) -> None:
    size = int(proof["size"])
    rows = [
        ("change records in the tree", f"{size:,}"),
        ("tree nodes stored", f"{nodes:,} ({nodes / size:.2f} per record)"),
        (
            "bulk append by COPY, tree built by its trigger",
            f"{filled:.0f} s for {args.records:,} records" if filled else "(history kept)",
        ),
        (
            "one write, tree trigger off: mean / p95",
            f"{writes['off']:.2f} / {writes['off_p95']:.2f} ms",
        ),
        (
            "one write, tree trigger on: mean / p95",
            f"{writes['on']:.2f} / {writes['on_p95']:.2f} ms",
        ),
        (
            "the tree's trigger itself, one appended record: mean / p95",
            f"{writes['trigger']:.3f} / {writes['trigger_p95']:.3f} ms",
        ),
        ("signed head: p50 / p95", f"{proof['head_p50']:.2f} / {proof['head_p95']:.2f} ms"),
        (
            "inclusion proof: p50 / p95",
            f"{proof['inclusion_p50']:.2f} / {proof['inclusion_p95']:.2f} ms",
        ),
        (
            "consistency proof: p50 / p95",
            f"{proof['consistency_p50']:.2f} / {proof['consistency_p95']:.2f} ms",
        ),
        (
            "inclusion proof size: mean / max hashes",
            f"{proof['inclusion_mean']:.1f} / {proof['inclusion_max']} "
            f"(log2 n = {proof['log2']:.1f})",
        ),
        (
            "consistency proof size: mean / max hashes",
            f"{proof['consistency_mean']:.1f} / {proof['consistency_max']}",
        ),
        (
            "export_ledger of the whole history",
            f"{checked['export_s']:.0f} s, {checked['bytes'] / 1e9:.2f} GB",
        ),
        (
            "verifier: whole export checked against its head",
            f"{checked['verify_s']:.0f} s ({'passed' if checked['ok'] else 'FAILED'})",
        ),
    ]
    lines = [
        "# The history's Merkle tree at scale",
        "",
        f"Written by `bench/ledger.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        "PostgreSQL, one process, the machine shared with other work (2 cores).",
        "",
        "| measure | value |",
        "|---|---:|",
        *(f"| {name} | {value} |" for name, value in rows),
        "",
    ]
    args.results.write_text("\n".join(lines), encoding="utf-8")
    log(f"written {args.results}")


if __name__ == "__main__":
    main()
