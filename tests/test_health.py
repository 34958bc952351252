"""/healthz answers for load balancers: the database, and the broker when one is configured."""

from __future__ import annotations

import pytest
from django.test import Client

from claimtracker.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_without_a_broker(client: Client, settings) -> None:
    settings.CELERY_BROKER_URL = None
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True}}


def test_checks_the_real_redis_broker(client: Client, settings) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/15"
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = None
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True}


def test_unreachable_broker_fails_the_probe(client: Client, settings) -> None:
    # Port 9 (discard) has nothing listening on this machine.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    celery_app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url = None
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] is False
