"""The schema tells the whole truth (issue 16): valid OpenAPI, a summary and an example for every
operation, the problem shapes for every error answer, the conditional requests, the export
filters and a servers entry, all read from /api/v1/schema/ over HTTP."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def schema(api_client) -> dict:
    answer = api_client.get("/api/v1/schema/", {"format": "json"})
    assert answer.status_code == 200
    return answer.json()


def operations(schema: dict):
    for path, items in schema["paths"].items():
        for method, operation in items.items():
            yield path, method, operation


def test_the_schema_is_valid_openapi(schema):
    validate(schema)


def test_every_operation_has_a_summary_and_an_example(schema):
    """The message names each operation and what it lacks, so a new endpoint's entry in
    claims/api/operations.py (SUMMARIES, REQUESTS or examples.json) is quick to add."""
    lacking = []
    for path, method, operation in operations(schema):
        wants = []
        if not operation.get("summary"):
            wants.append("a summary")
        if method in ("post", "put", "patch"):
            bodies = operation.get("requestBody", {}).get("content", {}).values()
            if not any(body.get("examples") for body in bodies):
                wants.append("a request body example")
        elif method == "get":
            answers = [a for code, a in operation["responses"].items() if code.startswith("2")]
            if not any(m.get("examples") for a in answers for m in a.get("content", {}).values()):
                wants.append("a response example")
        if wants:
            lacking.append(
                f"{operation['operationId']} ({method.upper()} {path}) lacks " + ", ".join(wants)
            )
    assert not lacking, "\n".join(lacking)


def test_every_error_answer_is_documented_as_a_problem(schema):
    for path, method, operation in operations(schema):
        for code, answer in operation["responses"].items():
            if int(code) < 400:
                continue
            expected = "ValidationProblem" if code == "400" else "ProblemDetails"
            assert answer["content"] == {
                PROBLEM: {"schema": {"$ref": f"#/components/schemas/{expected}"}}
            }, (method, path, code)
            assert answer["description"], (method, path, code)
        assert {"400", "401", "406", "500"} <= set(operation["responses"]), (method, path)


def test_the_problem_components_name_the_members_every_problem_has(schema):
    components = schema["components"]["schemas"]

    assert set(components["ProblemDetails"]["required"]) == {
        "type", "title", "status", "detail", "instance", "request_id"
    }  # fmt: skip
    errors = components["ValidationProblem"]["allOf"][1]["properties"]["errors"]
    assert errors["items"]["required"] == ["field", "message", "code"]


def test_writes_document_413_and_415_and_throttled_operations_429_with_retry_after(schema):
    upload = schema["paths"]["/api/v1/imports/"]["post"]
    assert {"413", "415"} <= set(upload["responses"])
    for path, method, operation in operations(schema):
        if method in ("post", "put", "patch"):
            assert {"413", "415"} <= set(operation["responses"]), (method, path)
        if "429" in operation["responses"]:
            assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)
    assert "429" in schema["paths"]["/api/v1/claims/"]["get"]["responses"]


def test_conditional_reads_document_if_none_match_etag_and_304(schema):
    for path in ["/api/v1/claims/{id}/", "/api/v1/actors/{slug}/", "/api/v1/incidents/{slug}/"]:
        operation = schema["paths"][path]["get"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-None-Match" in headers, path
        assert "ETag" in operation["responses"]["304"]["headers"], path
        assert "ETag" in operation["responses"]["200"]["headers"], path


def test_claim_writes_document_if_match_and_412(schema):
    for method in ("put", "patch"):
        operation = schema["paths"]["/api/v1/claims/{id}/"][method]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-Match" in headers
        assert "412" in operation["responses"]
        assert "ETag" in operation["responses"]["200"]["headers"]
    assert "412" not in schema["paths"]["/api/v1/actors/{slug}/"]["put"]["responses"]


def test_the_exports_document_the_list_filters(schema):
    listed = {p["name"] for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
    for path in ["/api/v1/claims/export/csv/", "/api/v1/claims/export/jsonl/"]:
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"]}
        assert {"speaker", "accused", "actor", "incident", "since", "until", "status"} <= names
        assert names <= listed | {"format"}


def test_the_schema_names_its_server(schema):
    assert schema["servers"] == [{"url": "/"}]
