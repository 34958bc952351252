"""The OpenAPI description: complete with error answers, served with offline docs, and true.

The property-based run drives every operation of the schema with generated input (NUL bytes,
huge numbers, wrong types, nulls) through the real WSGI application and database, and checks
that nothing answers 500 and that every answer matches what the schema says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from django.core.serializers.json import DjangoJSONEncoder as JSONEncoder
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sources.models import ApiToken


def _load_schema() -> schemathesis.BaseSchema:
    """The schema exactly as /api/v1/schema/ serves it, bound to the WSGI application."""
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(document, cls=JSONEncoder)))
    loaded.app = get_wsgi_application()
    # Every operation is already called with every method it has; probing each path with the
    # methods it lacks would double the run for answers (405) DRF gives by itself.
    loaded.config.phases.coverage.unexpected_methods = set()
    return loaded


schema = _load_schema()


@pytest.fixture
def editor_secret(demo, editor, settings) -> Iterator[str]:
    # werkzeug's test client sends Host: localhost.
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # The ledger's head is signed (without a key it answers 503, which schemathesis counts as
    # a server error however documented).
    settings.LEDGER_SIGNING_KEY = "5e" * 32
    # Through the real WSGI handler each request would close the test's database connection,
    # and with it the transaction that isolates the test; Django's own test client does this too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield ApiToken.issue(user=editor, name="schemathesis")[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_every_operation_answers_generated_input_as_the_schema_says(case, editor_secret):
    case.call_and_validate(
        headers={"Authorization": f"Token {editor_secret}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def test_the_schema_documents_error_answers_for_every_operation(api_client):
    paths = api_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "429"} <= codes, (method, path)
            if method in ("post", "put", "patch"):
                assert {"400", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method == "get" and "{" not in path:
                assert "400" in codes, (method, path)


def test_the_schema_describes_every_resource(api_client):
    paths = api_client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    for expected in [
        "/api/v1/actors/",
        "/api/v1/actors/{slug}/",
        "/api/v1/documents/",
        "/api/v1/incidents/{slug}/figures/",
        "/api/v1/incidents/{slug}/claimreview/",
        "/api/v1/claims/",
        "/api/v1/claims/{id}/",
        "/api/v1/claims/{id}/claimreview/",
        "/api/v1/claims/export/csv/",
        "/api/v1/claims/export/jsonl/",
        "/api/v1/responses/",
        "/api/v1/evidence/",
        "/api/v1/timeline/",
        "/api/v1/search/",
    ]:
        assert expected in paths


def test_the_docs_page_loads_its_files_from_this_server_not_a_cdn(client):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "unpkg" not in html.lower()
