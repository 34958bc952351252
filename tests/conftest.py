"""Shared fixtures: a few named actors reused across tests, and users in each role; and the
network guard, so that no test sends traffic beyond loopback."""

from __future__ import annotations

import pytest

from sources.models import Actor
from tests.factories import ActorFactory, AliasFactory, UserFactory
from tests.network_guard import Guard
from tests.replicas import replica  # noqa: F401  (a fixture, for the replica tests)
from tests.workers import start_worker  # noqa: F401  (a fixture, for the worker and fault tests)

_network_guard = Guard()


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module is imported, in the main process and in every xdist worker:
    connects beyond loopback and look-ups of outside names are refused (tests/network_guard.py).
    """
    _network_guard.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    _network_guard.uninstall()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres``, ``worker`` or ``replica`` need PostgreSQL itself (roles, row
    locks under concurrency, a worker process sharing the test database, a streaming replica).

    On another database they are deselected, not skipped: CI runs the suite on PostgreSQL
    first, where they run, and on SQLite only as a quick second pass.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    needs_postgres = ("postgres", "worker", "replica")
    kept = [i for i in items if not any(i.get_closest_marker(m) for m in needs_postgres)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


@pytest.fixture(scope="session", autouse=True)
def _no_collected_static_folder() -> None:
    """No collectstatic before tests: whitenoise should not look for the folder at start-up."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Throttle counts live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Tests render templates without running collectstatic, so skip the hashed-name manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Nor is there a collected static folder for whitenoise to scan at start-up.
    settings.WHITENOISE_AUTOREFRESH = True
    # Password hashing is deliberately slow; tests sign in often and test no hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _claimreview_publisher(settings) -> None:
    """A publisher for ClaimReview documents (a fresh install has none, and emits none)."""
    settings.CLAIMREVIEW_PUBLISHER_NAME = "Example Monitoring Desk"
    settings.CLAIMREVIEW_PUBLISHER_URL = "https://monitoring.example.org/"


@pytest.fixture
def white_helmets(db: None) -> Actor:
    actor = ActorFactory(name="White Helmets", slug="white-helmets", kind=Actor.Kind.ORGANISATION)
    AliasFactory(actor=actor, name="Syrian Civil Defence", language="en")
    return actor


@pytest.fixture
def defence_ministry(db: None) -> Actor:
    return ActorFactory(
        name="Ministry of Defence of the Russian Federation",
        slug="russian-defence-ministry",
        kind=Actor.Kind.STATE_BODY,
        country="RU",
    )


@pytest.fixture
def reuters(db: None) -> Actor:
    return ActorFactory(name="Reuters", slug="reuters", kind=Actor.Kind.NEWS_AGENCY)


@pytest.fixture
def broadcaster(db: None) -> Actor:
    return ActorFactory(name="RT", slug="rt", kind=Actor.Kind.MEDIA_OUTLET, country="RU")


@pytest.fixture
def editor(db: None):
    return UserFactory(username="editor", is_staff=True, groups=["editors"])


@pytest.fixture
def reviewer(db: None):
    return UserFactory(username="reviewer", is_staff=True, groups=["reviewers"])


@pytest.fixture
def analyst(db: None):
    return UserFactory(username="analyst", is_staff=True, groups=["analysts"])


@pytest.fixture
def reader(db: None):
    """A signed-in user with no role: may read what the public reads, may write nothing."""
    return UserFactory(username="reader", is_staff=True)


# --- Analyst pages ------------------------------------------------------------------------------


@pytest.fixture
def idlib_exchange(
    white_helmets: Actor, defence_ministry: Actor, reuters: Actor, broadcaster: Actor
):
    """The running example built with factories: an allegation, its denial, a relay chain."""
    import datetime as dt
    from types import SimpleNamespace

    from claims.models import CasualtyFigure, Claim, Evidence, Response
    from claimtracker.dates import Precision
    from tests.factories import (
        AttributionFactory,
        ClaimFactory,
        ClaimTargetFactory,
        DocumentFactory,
        EvidenceFactory,
        FigureFactory,
        IncidentFactory,
        ResponseFactory,
    )

    incident = IncidentFactory(
        title="Airstrikes in Idlib province, September 2017",
        slug="idlib-airstrikes-september-2017",
        place="Idlib province",
        start_on=dt.date(2017, 9, 18),
        start_precision=Precision.WEEK,
    )
    russia = ActorFactory(name="Russia", slug="russia", kind=Actor.Kind.STATE)
    article = DocumentFactory(title="RT report on Idlib", publisher=broadcaster)
    allegation = ClaimFactory(
        speaker=white_helmets,
        kind=Claim.Kind.CASUALTY_COUNT,
        summary="The White Helmets say 152 civilians were killed in Idlib air strikes.",
        made_on=dt.date(2017, 9, 25),
        made_precision=Precision.WEEK,
        incident=incident,
    )
    ClaimTargetFactory(claim=allegation, actor=russia)
    FigureFactory(claim=allegation, low=152, high=152, as_stated="152")
    FigureFactory(
        claim=allegation,
        low=150,
        high=None,
        qualifier=CasualtyFigure.Qualifier.MORE_THAN,
        as_stated="over 150",
        reported_by=broadcaster,
    )
    AttributionFactory(claim=allegation, position=1, actor=white_helmets, verb="said")
    AttributionFactory(claim=allegation, position=2, actor=reuters, verb="reported")
    AttributionFactory(
        claim=allegation, position=3, actor=broadcaster, verb="cited", document=article
    )
    denial = ClaimFactory(
        speaker=defence_ministry,
        kind=Claim.Kind.TARGETING,
        summary="The Ministry says Russian aircraft do not strike residential areas.",
        made_on=dt.date(2017, 9, 26),
        incident=incident,
    )
    AttributionFactory(claim=denial, position=1, actor=broadcaster, document=article)
    ResponseFactory(claim=denial, answers=allegation, kind=Response.Kind.DENIES)
    EvidenceFactory(
        claim=denial,
        kind=Evidence.Kind.INTELLIGENCE,
        description="Drone surveillance the Ministry says located the targets.",
    )
    return SimpleNamespace(
        incident=incident,
        allegation=allegation,
        denial=denial,
        article=article,
        russia=russia,
    )


# --- API -------------------------------------------------------------------------------------


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def token_client(user, name: str):
    """An API client sending ``user``'s token, as a tool would."""
    from rest_framework.test import APIClient

    from sources.models import ApiToken

    _, secret = ApiToken.issue(user=user, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.fixture
def editor_client(editor):
    return token_client(editor, "test tool")


@pytest.fixture
def reviewer_client(reviewer):
    """May also publish and change published claims."""
    return token_client(reviewer, "review tool")


@pytest.fixture
def reader_client(reader):
    """A valid token for a user who may write nothing."""
    return token_client(reader, "read-only tool")


@pytest.fixture
def demo(db: None):
    """The running example, loaded as `manage.py load_demo` loads it."""
    from claims.devdata.demo import load_demo

    load_demo()


# --- Background jobs: local HTTP servers, a DNS stand-in, isolated file storage -------------------


class _Recorder:
    """What a local test server saw: every connection accepted and every request handled."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[dict] = []
        self.counters: dict[str, int] = {}

    def count(self, path: str) -> int:
        with self.lock:
            self.counters[path] = self.counters.get(path, 0) + 1
            return self.counters[path]


class LocalServer:
    """An HTTP server on a loopback address, run in a thread, answering by path:

    /page.html      an HTML page (PAGE_HTML)           /text       plain text
    /drip           headers, then one byte a second    /big        BIG_BYTES bytes
    /redirect?to=U  302 to U                           /chain/N    N redirects, then /text
    /status/C       answers with status C              /flaky/N    500 N times, then 200
    /hook           records the request, answers 200   /hook-flaky/N  500 N times, then 200
    /slow/N         hangs N times, then answers
    """

    PAGE_HTML = (
        "<html><head><title>t</title><script>var x = 'not text';</script></head><body>"
        "<p>The Ministry said its aircraft \u201cdo not strike residential areas\u201d, and\n"
        "   added that all recent strikes hit the Nusra Front.</p></body></html>"
    )
    BIG_BYTES = 300_000

    def __init__(self, host: str = "127.0.0.1") -> None:
        import http.server
        import threading

        recorder = self.recorder = _Recorder()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                outer.answer(self)

            do_POST = do_GET

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def verify_request(self, request: object, client_address: object) -> bool:
                with recorder.lock:
                    recorder.connections += 1
                return True

        self.server = Server((host, 0), Handler)
        self.host, self.port = host, self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/page.html", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def answer(self, handler) -> None:
        import time
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self.recorder.lock:
            self.recorder.requests.append(
                {"path": handler.path, "headers": dict(handler.headers), "body": body}
            )
        path = parts.path
        if path == "/page.html":
            return self.send(handler, 200, self.PAGE_HTML.encode(), "text/html; charset=utf-8")
        if path == "/text":
            return self.send(handler, 200, b"plain words", "text/plain")
        if path == "/big":
            return self.send(handler, 200, b"x" * self.BIG_BYTES, "application/octet-stream")
        if path == "/redirect":
            return self.send(handler, 302, b"", location=parse_qs(parts.query)["to"][0])
        if path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            target = f"/chain/{left - 1}" if left > 0 else "/text"
            return self.send(handler, 302, b"", location=target)
        if path.startswith("/status/"):
            return self.send(handler, int(path.rsplit("/", 1)[1]), b"status", "text/plain")
        if path.startswith(("/flaky/", "/hook-flaky/")):
            failures = int(path.rsplit("/", 1)[1])
            if self.recorder.count(path) <= failures:
                return self.send(handler, 500, b"try later", "text/plain")
            return self.send(handler, 200, b"ok now", "text/plain")
        if path == "/hook":
            return self.send(handler, 200, b"thanks", "text/plain")
        if path.startswith("/slow/"):  # hangs N times (until the client goes), then answers
            if self.recorder.count(path) <= int(path.rsplit("/", 1)[1]):
                time.sleep(20)
                return None
            return self.send(handler, 200, b"slow words", "text/plain")
        if path == "/drip":
            handler.send_response(200)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", "1000")
            handler.end_headers()
            for _ in range(1000):
                try:
                    handler.wfile.write(b".")
                    handler.wfile.flush()
                except OSError:
                    return None
                time.sleep(1)
            return None
        return self.send(handler, 404, b"no such page", "text/plain")

    @staticmethod
    def send(handler, status: int, body: bytes, content_type: str = "", location: str = "") -> None:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        if location:
            handler.send_header("Location", location)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def no_outside_dns(monkeypatch):
    """Names resolve only as the test says (plus localhost): no query leaves the machine."""
    from claims.jobs import fetching

    names: dict[str, list[str]] = {"localhost": ["127.0.0.1", "::1"]}

    def resolve(host: str, port: int) -> list[str]:
        if host not in names:
            raise fetching.Unavailable(f"the host name {host!r} does not resolve (test DNS)")
        return names[host]

    monkeypatch.setattr(fetching, "resolve", resolve)
    return names


@pytest.fixture
def archive_storage(settings, tmp_path):
    """Archived files go to a fresh folder per test."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def web(settings, no_outside_dns, archive_storage):
    """A local server the fetcher may reach: 127.0.0.1/32 and its port allowed on purpose."""
    server = LocalServer("127.0.0.1")
    settings.ARCHIVE_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.ARCHIVE_ALLOWED_PORTS = [80, 443, server.port]
    settings.ARCHIVE_DEADLINE = 3
    settings.WEBHOOK_DEADLINE = 3
    yield server
    server.close()


@pytest.fixture
def trap(settings):
    """A server on 127.0.0.2 that no fetch may ever reach; its port is allowed so that only
    the address check can keep a fetch away from it."""
    server = LocalServer("127.0.0.2")
    settings.ARCHIVE_ALLOWED_PORTS = [*settings.ARCHIVE_ALLOWED_PORTS, server.port]
    yield server
    server.close()


# --- The doors of the record: admin forms, dataset imports, queued work ---------------------------


@pytest.fixture
def root_client(db: None):
    """A superuser's browser: reads any admin page, to learn what its form would post."""
    from django.test import Client

    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _form_value(value: object) -> object:
    import datetime as dt

    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if value is None or hasattr(value, "storage"):  # files are not re-sent
        return None
    return str(value)


def admin_form(client, path: str, changes: dict | None = None) -> dict[str, object]:
    """What the admin form at ``path`` posts with only ``changes`` made: each field's current
    value, and every inline's management form with no rows (rows already saved stay as they
    are). ``client`` must be allowed to open the page; pass ``root_client`` to build the data a
    less privileged user then posts."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    data: dict[str, object] = {}
    for field in page.context["adminform"].form:
        value = _form_value(field.value())
        if value is not None:
            data[field.html_name] = value
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    changes = changes or {}
    return data | {key: "" if value is None else value for key, value in changes.items()}


def inline_rows(prefix: str, rows: list[dict]) -> dict[str, str]:
    """An admin inline's new rows, as its formset posts them."""
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for number, row in enumerate(rows):
        data |= {
            f"{prefix}-{number}-{key}": "" if value is None else str(value)
            for key, value in row.items()
        }
    return data


def jsonl(records: list[dict]) -> bytes:
    """Dataset records as a JSON Lines file (the format of claims' dataset import)."""
    import json

    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records).encode()


@pytest.fixture
def upload_dataset(django_capture_on_commit_callbacks, archive_storage):
    """Upload records through ``POST /api/v1/imports/`` as ``client``'s user; the import runs
    (in process) once the upload commits. Returns the API's answer and the job as it ended."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from claims.models import ImportJob

    def upload(client, records: list[dict]):
        file = SimpleUploadedFile("records.jsonl", jsonl(records), "application/x-ndjson")
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post("/api/v1/imports/", {"file": file}, format="multipart")
        job = None
        if answer.status_code == 202:
            job = ImportJob.objects.get(pk=answer.json()["id"])
        return answer, job

    return upload


@pytest.fixture
def import_command(django_capture_on_commit_callbacks, tmp_path):
    """Run ``manage.py import_dataset`` on records; work it queues runs once it commits.
    Returns what the command wrote to stderr (a refused file raises CommandError)."""
    import io
    import itertools

    from django.core.management import call_command

    numbers = itertools.count(1)

    def run(records: list[dict]) -> str:
        path = tmp_path / f"dataset-{next(numbers)}.jsonl"
        path.write_bytes(jsonl(records))
        stderr = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "import_dataset", str(path), verbosity=0, stdout=io.StringIO(), stderr=stderr
            )
        return stderr.getvalue()

    return run


@pytest.fixture
def queued_tasks(monkeypatch) -> list[str]:
    """The name of every Celery task queued from now on, in order.

    A spy, not a mock: each task still runs (in process, since no broker is configured), so
    tests see what it did as well as that it was asked for.
    """
    from celery.app.task import Task

    names: list[str] = []
    original = Task.apply_async

    def recording(self, *args: object, **kwargs: object):
        names.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Task, "apply_async", recording)
    return names
