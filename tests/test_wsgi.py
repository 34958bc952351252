"""The WSGI module reads the whole URL map when it is imported, so that gunicorn's ``--preload``
reads it once in the master (the views, and the editor assistant's spaCy with them), and no
worker pays for it on its first request; it opens no connection that the workers would share."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

IMPORT_WSGI = """
import json, sys
import claimtracker.wsgi
from django.db import connections
print(json.dumps({
    "api_urls": "claims.api.urls" in sys.modules,
    "assistant_views": "claims.api.proposals" in sys.modules,
    "connections": [alias for alias in connections if connections[alias].connection is not None],
}))
"""


def test_importing_the_wsgi_module_reads_the_url_map_and_connects_to_nothing() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "claimtracker.settings"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_WSGI], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"api_urls": True, "assistant_views": True, "connections": []}


def test_every_production_gunicorn_command_preloads_the_application() -> None:
    for where in ("Procfile", "Makefile"):
        text = (ROOT / where).read_text()
        lines = [line for line in text.splitlines() if re.search(r"gunicorn claimtracker", line)]
        assert lines, f"{where} starts no gunicorn"
        assert all("--preload" in line for line in lines), (where, lines)
    # The bench serves as production does.
    assert '"--preload"' in (ROOT / "bench" / "serving.py").read_text()
