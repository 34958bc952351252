"""Peak memory of exporting and importing the record; writes bench/RESULTS-MEMORY.md.

    .venv/bin/python bench/memory.py                      # claimtracker_bench, as make bench fills
    .venv/bin/python bench/memory.py --database claimtracker_bench_1m --results /tmp/m.md

Each measured step runs as a process of its own, and its peak resident set size is what the
kernel reports for that process when it ends (``os.wait4``'s ``ru_maxrss``, the VmHWM of
/proc/PID/status): nothing else shares it. The steps:

- ``manage.py export_dataset -o FILE``: the whole database as a dataset;
- the API's claim export (``GET /api/v1/claims/export/jsonl/``), every claim, served by Django
  in a process of its own through the test client, its streamed body read and counted chunk by
  chunk as a client would;
- ``manage.py import_dataset FILE --dry-run`` and ``manage.py import_dataset FILE`` of a file
  of about ``--import-mb`` megabytes cut from the export (every actor, affiliation, document
  and incident, then claims up to the size), into an empty database of its own
  (``<database>_import``, created again each run).

``--code DIR`` runs another checkout's manage.py (the code before a change, say) against the
same database and files, to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Run as a script, Python puts bench/ on the path, not the project root (see bench/run.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import HOST, OUT, PY, ROOT, log
from bench.database import environment, sql

# The API export, in a process of its own: Django answers through its test client, and the body
# is read chunk by chunk, as a client on a socket reads it, and never kept.
API_EXPORT = """
import json, sys, django
django.setup()
from django.test import Client
response = Client().get("/api/v1/claims/export/jsonl/")
size = lines = 0
for chunk in response.streaming_content:
    size += len(chunk)
    lines += chunk.count(b"\\n")
print(json.dumps({"status": response.status_code, "bytes": size, "records": lines}))
"""


@dataclass
class Step:
    name: str
    peak_mb: float
    seconds: float
    detail: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="claimtracker_bench", help="filled by bench/run.py")
    parser.add_argument("--pg", default=f"postgres://postgres@{HOST}:5432", help="server URL")
    parser.add_argument("--import-mb", type=float, default=50, help="size of the imported file")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose code is run")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS-MEMORY.md")
    return parser.parse_args()


def measured(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Run ``command``; return its peak RSS in MB, its seconds and its standard output."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with exit status {process.returncode}")
    return usage.ru_maxrss / 1024, seconds, output  # ru_maxrss is in KiB on Linux


def import_file(dataset: Path, target: Path, megabytes: float) -> tuple[int, int]:
    """Cut a file of about ``megabytes`` from ``dataset``: every record before the claims, then
    claims until the size is reached (responses would name claims left out). Returns
    (records, claims)."""
    limit = int(megabytes * 1_000_000)
    records = claims = size = 0
    with dataset.open("rb") as source, target.open("wb") as out:
        for line in source:
            kind = json.loads(line)["type"]
            if kind == "head":
                continue
            if kind == "claim" and size + len(line) > limit:
                break
            if kind == "response":
                break
            out.write(line)
            size += len(line)
            records += 1
            claims += kind == "claim"
    return records, claims


def main() -> None:
    args = parse_args()
    OUT.mkdir(exist_ok=True)
    env = environment(args) | {"ALLOWED_HOSTS": f"{HOST},testserver"}
    code = args.code.resolve()
    manage = [PY, str(code / "manage.py")]
    env["PYTHONPATH"] = str(code)
    url = env["DATABASE_URL"]
    claims = sql(url, "SELECT count(*) FROM claims_claim")[0][0]
    log(f"{args.database}: {claims:,} claims; running {code}")
    steps: list[Step] = []

    dataset = OUT / f"memory-{args.database}.jsonl"
    peak, seconds, _ = measured([*manage, "export_dataset", "-v0", "-o", str(dataset)], env, code)
    with dataset.open("rb") as lines:
        records = sum(1 for _ in lines)
    size = dataset.stat().st_size
    steps.append(
        Step("export_dataset", peak, seconds, f"{records:,} records, {size / 1e6:,.1f} MB")
    )
    log(f"export_dataset: {peak:.0f} MB peak, {seconds:.0f} s")

    peak, seconds, output = measured([PY, "-c", API_EXPORT], env, code)
    answer = json.loads(output.strip().splitlines()[-1])
    if answer["status"] != 200:
        raise SystemExit(f"the API export answered {answer['status']}")
    detail = f"{answer['records']:,} claims, {answer['bytes'] / 1e6:,.1f} MB"
    steps.append(Step("API claim export (JSON Lines)", peak, seconds, detail))
    log(f"API export: {peak:.0f} MB peak, {seconds:.0f} s")

    upload = OUT / f"memory-{args.database}-import.jsonl"
    records, cut_claims = import_file(dataset, upload, args.import_mb)
    size = upload.stat().st_size
    detail = f"{size / 1e6:,.1f} MB, {records:,} records ({cut_claims:,} claims)"
    target = f"{args.database}_import"
    target_env = environment(argparse.Namespace(pg=args.pg, database=target))
    target_env["PYTHONPATH"] = str(code)
    # The file is larger than the default upload limit: an operator raises it the same way.
    target_env["IMPORT_MAX_BYTES"] = str(size + 1)
    sql(f"{args.pg}/postgres", f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    sql(f"{args.pg}/postgres", f'CREATE DATABASE "{target}"')
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], env=target_env, check=True, cwd=code)
    for name, extra in (("import_dataset --dry-run", ["--dry-run"]), ("import_dataset", [])):
        command = [*manage, "import_dataset", str(upload), "-v0", *extra]
        peak, seconds, _ = measured(command, target_env, code)
        steps.append(Step(name, peak, seconds, detail))
        log(f"{name}: {peak:.0f} MB peak, {seconds:.0f} s")

    args.results.write_text(report(steps, args, claims))
    print(args.results.read_text())
    log(f"wrote {args.results}")


TARGETS = {"export_dataset": 200, "API claim export (JSON Lines)": 200, "import_dataset": 150}
TARGETS["import_dataset --dry-run"] = 150


def report(steps: list[Step], args: argparse.Namespace, claims: int) -> str:
    lines = [
        "# Memory: peak RSS of export and import",
        "",
        f"Database `{args.database}` ({claims:,} claims), written by `bench/memory.py` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Each step is a process of its "
        "own; its peak resident set size is the kernel's (`ru_maxrss`).",
        "",
        "| step | peak RSS (MB) | target (MB) | met | seconds | data |",
        "|---|---:|---:|---|---:|---|",
    ]
    for step in steps:
        target = TARGETS[step.name]
        met = "yes" if step.peak_mb <= target else "**no**"
        lines.append(
            f"| {step.name} | {step.peak_mb:,.0f} | ≤ {target} | {met} | {step.seconds:,.0f} | "
            f"{step.detail} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
