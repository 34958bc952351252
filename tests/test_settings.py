"""Settings come from the environment and stop start-up loudly on a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from claimtracker.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    load_dotenv,
    local_secret_key,
)

ROOT = Path(__file__).resolve().parent.parent


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean |= {"DJANGO_SETTINGS_MODULE": "claimtracker.settings", **env}
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG", default=False)


def test_bad_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "forever")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_CONN_MAX_AGE"):
        env_int("DATABASE_CONN_MAX_AGE", 0)


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "claims.example.org, ,api.example.org")
    assert env_list("ALLOWED_HOSTS", []) == ["claims.example.org", "api.example.org"]


def test_dotenv_does_not_override_the_real_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nCT_A=from-file\nCT_B='quoted'\n")
    monkeypatch.setenv("CT_A", "from-env")
    monkeypatch.delenv("CT_B", raising=False)
    load_dotenv(dotenv)
    assert os.environ["CT_A"] == "from-env"
    assert os.environ["CT_B"] == "quoted"
    monkeypatch.delenv("CT_B")


def test_dotenv_line_without_equals_is_refused(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("JUSTAWORD\n")
    with pytest.raises(ImproperlyConfigured, match=r"\.env:1"):
        load_dotenv(dotenv)


def test_local_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    first = local_secret_key(path)
    assert len(first) >= 50
    assert local_secret_key(path) == first
    assert path.stat().st_mode & 0o777 == 0o600


def test_start_up_without_secret_key_fails_when_debug_is_off(tmp_path: Path) -> None:
    result = _start(tmp_path, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_start_up_with_an_unknown_database_scheme_fails(tmp_path: Path) -> None:
    result = _start(tmp_path, SECRET_KEY="x", DATABASE_URL="nosuchdb://somewhere/db")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_start_up_with_secret_key_and_debug_off_works(tmp_path: Path) -> None:
    result = _start(tmp_path, SECRET_KEY="x", DEBUG="off")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_figure_flag_threshold_that_is_not_a_number_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIGURE_FLAG_APART_RATIO", "twice")
    with pytest.raises(ImproperlyConfigured, match="FIGURE_FLAG_APART_RATIO must be a number"):
        env_float("FIGURE_FLAG_APART_RATIO", 1.5, minimum=1)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FIGURE_FLAG_APART_RATIO", "0.5"),
        ("FIGURE_FLAG_LOWERED_BY", "-1"),
        ("FIGURE_FLAG_LOWERED_BY", "nan"),
        ("FIGURE_FLAG_COUNTED_TWICE_RELAYS", "1"),
        ("FIGURE_FLAG_SUPERSEDED_DAYS", "-2"),
    ],
)
def test_start_up_with_a_figure_flag_threshold_out_of_range_fails(
    tmp_path: Path, name: str, value: str
) -> None:
    result = _start(tmp_path, SECRET_KEY="x", **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def _check(**env: str) -> subprocess.CompletedProcess:
    """``manage.py check`` in a fresh interpreter with this environment added."""
    clean = {k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "DATABASE_REPLICA_URLS"}}
    primary = "postgres://postgres@127.0.0.1:5432/claimtracker_dev"  # replicas need PostgreSQL
    clean |= {"SECRET_KEY": "x", "DEBUG": "false", "DATABASE_URL": primary, **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_replicas_without_a_shared_cache_are_warned_about_by_check() -> None:
    # Nothing connects to the replica: the check reads the configuration only.
    replica = "postgres://postgres@127.0.0.1:5433/claimtracker"
    result = _check(DATABASE_REPLICA_URLS=replica)
    assert result.returncode == 0, result.stderr  # a warning, not an error
    assert "claimtracker.W001" in result.stderr
    assert "CACHE_URL is not" in result.stderr

    shared = _check(DATABASE_REPLICA_URLS=replica, CACHE_URL="redis://127.0.0.1:6379/9")
    assert "claimtracker.W001" not in shared.stderr + shared.stdout
    alone = _check()
    assert "claimtracker.W001" not in alone.stderr + alone.stdout


def test_a_watched_queue_that_does_not_exist_is_refused_at_start_up(tmp_path: Path) -> None:
    result = _start(tmp_path, SECRET_KEY="x", HEALTH_WORKER_QUEUES="default,archives")
    assert result.returncode != 0
    assert "HEALTH_WORKER_QUEUES names archives, which is no queue of JOBS_QUEUES" in result.stderr
