"""What the ledger tests share: a signing key, a history of many records, the verifier program."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sources.models import Actor

VERIFIER = Path(__file__).resolve().parents[1] / "verifier" / "claimtracker_verify.py"
SEED = "5e" * 32


def use_test_key(settings) -> str:
    """Sign heads with a fixed test key (a ``settings`` fixture); the public key's hex."""
    settings.LEDGER_SIGNING_KEY = SEED
    return public_hex(SEED)


def public_hex(seed: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed)).public_key()
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def make_history(count: int) -> None:
    """About ``count`` change records: actors created in bulk, then some of them changed."""
    created = count * 3 // 4
    Actor.objects.bulk_create(
        [Actor(name=f"Actor {i}", slug=f"fuzz-{i}") for i in range(created)], batch_size=500
    )
    for i in range(0, count - created):
        Actor.objects.filter(slug=f"fuzz-{i}").update(description=f"changed {i}")


def verify(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the verifier as an outsider would: its own process, no Django, no settings."""
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path
