"""Measuring: each contender loaded with wrk (or a Python stand-in), round after round."""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import shutil
import statistics
import subprocess
import threading
import time

from bench import HOST, OUT, ROOT, log
from bench.contenders import Contender

LUA = ROOT / "bench" / "report.lua"
WALK = ROOT / "bench" / "walk.lua"


def run_wrk(c: Contender, seconds: float, args: argparse.Namespace) -> dict:
    command = ["wrk", "-t", str(args.threads), "-c", str(c.connections or args.connections)]
    script = WALK if c.walk else LUA
    command += ["-d", f"{max(1, round(seconds))}s", "--timeout", "60s", "-s", str(script)]
    for key, value in c.headers.items():
        command += ["-H", f"{key}: {value}"]
    command.append(f"http://{HOST}:{c.port}{c.path}")
    if c.walk:  # each run goes on where the last stopped: warm-up and rounds ask new terms
        paths = OUT / f"{c.name}.paths"
        paths.write_text("\n".join(c.walk) + "\n")
        command += ["--", str(paths), str(c.walked), str(args.threads)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCHJSON "))
    result = json.loads(line.removeprefix("BENCHJSON "))
    c.walked = result.get("walked", c.walked)
    return result


def run_python(c: Contender, seconds: float, args: argparse.Namespace) -> dict:
    """Fallback load generator: keep-alive connections in threads, latencies in microseconds."""
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds
    headers = {"Host": f"{HOST}:{c.port}", **c.headers}
    lines = itertools.count(c.walked)  # a walk's next path (bench/walk.lua)

    def worker() -> None:
        connection = http.client.HTTPConnection(HOST, c.port, timeout=60)
        while time.monotonic() < deadline:
            started = time.monotonic()
            path = c.walk[next(lines) % len(c.walk)] if c.walk else c.path
            connection.request("GET", path, headers=headers)
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
    start, c.walked = c.walked, next(lines) if c.walk else 0
    return {
        "walked": c.walked,
        "repeats": max(0, c.walked - max(start, len(c.walk))) if c.walk else 0,
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
