"""A version of code and templates that changes with each deployment of them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def code_version(paths: Iterable[Path], length: int = 12) -> str:
    """A short digest of the files' modification times: validators made with it (ETags) stop
    matching copies that an older deployment of these files produced."""
    stamps = b"".join(str(path.stat().st_mtime_ns).encode() for path in paths)
    return hashlib.sha256(stamps).hexdigest()[:length]
