"""A real streaming replica for the ``replica`` tests (PostgreSQL only): the ``replica`` fixture
points the router's ``replica_1`` at it, on the test database the primary created and streamed.

The replica is the one ``.ci/replica.sh`` makes (a second cluster on port 5433); CI runs it and
sets TEST_REPLICA_URL. Without that variable the fixture runs the script itself when this
machine has Debian's PostgreSQL tools, and otherwise fails saying what to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import MethodType
from typing import Any

import dj_database_url
import pytest
from django.conf import settings as django_settings
from django.db import connections

from claimtracker import replicas
from tests.workers import wait_for

SCRIPT = Path(django_settings.BASE_DIR) / ".ci" / "replica.sh"
HOW = (
    "the replica tests need a streaming replica of the test database's PostgreSQL: run "
    "`sudo .ci/replica.sh` and set TEST_REPLICA_URL=postgres://postgres@127.0.0.1:5433 (or "
    "deselect them with -m 'not replica')"
)


def replica_url() -> str:
    """TEST_REPLICA_URL, or the one .ci/replica.sh makes when this machine can."""
    if url := os.environ.get("TEST_REPLICA_URL"):
        return url
    if connections["default"].vendor != "postgresql":
        pytest.fail(f"{HOW}; on SQLite deselect them with -m 'not replica'")
    if not (shutil.which("pg_basebackup") and shutil.which("pg_createcluster")):
        pytest.fail(HOW)
    made = subprocess.run([SCRIPT], capture_output=True, text=True, timeout=1800, check=False)
    if made.returncode != 0:
        pytest.fail(f"{HOW}.\n.ci/replica.sh said:\n{made.stdout}{made.stderr}")
    os.environ["TEST_REPLICA_URL"] = made.stdout.strip().splitlines()[-1]
    return os.environ["TEST_REPLICA_URL"]


def add_replica(alias: str, url: str, blocker: Any) -> None:
    """A replica alias like the settings make, on the test database's name.

    A test's allowed databases are fixed when it starts, before this alias exists; the alias's
    connection is opened with Django's own method, which pytest-django's ``blocker`` keeps.
    """
    primary = connections["default"].settings_dict
    parsed = dj_database_url.parse(url)
    connections.settings[alias] = {
        **primary,
        "HOST": parsed["HOST"] or "127.0.0.1",
        "PORT": parsed["PORT"] or 5432,
        "USER": parsed["USER"] or primary["USER"],
        "PASSWORD": parsed["PASSWORD"] or primary["PASSWORD"],
        "NAME": primary["NAME"],  # the test database, created on the primary, streamed here
        "OPTIONS": {"connect_timeout": 2},
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    wrapper = connections[alias]
    wrapper.ensure_connection = MethodType(blocker._real_ensure_connection, wrapper)  # type: ignore[method-assign]


def drop_replica(alias: str) -> None:
    if alias in connections.settings:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def on_replica(sql: str, params: tuple[Any, ...] = (), alias: str = "replica_1") -> list[tuple]:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def replica(transactional_db: None, settings: Any, django_db_blocker: Any) -> Iterator[str]:
    """``replica_1``, the real streaming replica, with lag measured afresh on every request."""
    add_replica("replica_1", replica_url(), django_db_blocker)
    settings.REPLICA_LAG_CHECK_SECONDS = 0
    replicas.forget_lags()
    wait_for(lambda: replicas.lag_of("replica_1").usable, "the replica to catch up", 180)
    yield "replica_1"
    on_replica("SELECT pg_wal_replay_resume()")  # whatever the test paused
    for alias in replicas.replica_aliases():
        drop_replica(alias)
    replicas.forget_lags()
