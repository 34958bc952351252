"""Benchmarks of claimtracker against the floor (SQL-built JSON) and a typical DRF peer.

``bench/run.py`` runs them; the steps live beside it, one module each: ``database`` (fill or
reuse the bench database), ``serving`` (gunicorn servers on loopback), ``contenders`` (what is
loaded), ``load`` (wrk, or a Python stand-in) and ``results`` (the RESULTS.md tables). What they
share — where things are and how the bench speaks — is here.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PY = sys.executable
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)
