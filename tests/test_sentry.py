"""Error reports go to Sentry only when SENTRY_DSN is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = (
    "import django, sentry_sdk; django.setup(); client = sentry_sdk.get_client(); "
    "print(client.is_active(), client.options['send_default_pii'])"
)


def _sentry_state(**env: str) -> str:
    """Load the settings in a fresh interpreter and say whether Sentry was initialised."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    clean |= {"DJANGO_SETTINGS_MODULE": "claimtracker.settings", "SECRET_KEY": "x", **env}
    result = subprocess.run(
        [sys.executable, "-c", CODE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_settings_leave_sentry_off_without_a_dsn() -> None:
    assert _sentry_state().startswith("False")


def test_settings_turn_sentry_on_with_a_dsn_and_send_no_personal_data() -> None:
    # A loopback DSN with nothing listening: initialising sends nothing anywhere.
    assert _sentry_state(SENTRY_DSN="http://public@127.0.0.1:9/1") == "True False"
