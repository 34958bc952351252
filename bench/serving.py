"""The servers under load: gunicorn on loopback, started in a session of their own."""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import subprocess
import time
from pathlib import Path

from bench import HOST, OUT, PY, ROOT


def start_server(app: str, port: int, args: argparse.Namespace, env: dict) -> subprocess.Popen:
    gunicorn = str(Path(PY).parent / "gunicorn")
    command = [
        gunicorn,
        app,
        "--preload",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
    ]
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
