"""Script injection: hostile text typed by editors renders as text in Chromium and runs nothing.

Each payload, if it ever executed, would set ``window.__xss`` (or open a dialog). Payloads go into
the fields editors type and every page shows: actor names, document titles, incident titles,
claim summaries and quotes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page

from claims.models import Claim
from tests.factories import (
    ActorFactory,
    AttributionFactory,
    ClaimFactory,
    DocumentFactory,
    IncidentFactory,
)
from tests.test_browser_pages import (  # noqa: F401  (the shared browser fixtures)
    _allow_orm_beside_playwright,
    browser,
    page,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '<svg onload="window.__xss=3">',
    '"><script>window.__xss=4</script>',
    "'><img src=x onerror=window.__xss=5>",
    '<iframe srcdoc="<script>parent.__xss=6</script>"></iframe>',
    '<a href="javascript:window.__xss=7">link</a>',
    "<body onload=window.__xss=8>",
    '<details open ontoggle="window.__xss=9">d</details>',
    '<input autofocus onfocus="window.__xss=10">',
    "<math><mtext><script>window.__xss=11</script></mtext></math>",
    "</title><script>window.__xss=12</script>",
    "</textarea><script>window.__xss=13</script>",
    "<style>*{}</style><img src=x onerror=window.__xss=14>",
    "<svg><script>window.__xss=15</script></svg>",
    '<object data="javascript:window.__xss=16"></object>',
    '<embed src="javascript:window.__xss=17">',
    "{{ 7|add:7 }}<img src=x onerror=window.__xss=18>",
    "{% now 'Y' %}<img src=x onerror=window.__xss=19>",
    "<scr<script>ipt>window.__xss=20</script>",
    "<IMG SRC=x OnErRoR=window.__xss=21>",
    "<img src=x onerror=&#119;indow.__xss=22>",
    "<svg><animate onbegin=window.__xss=23 attributeName=x dur=1s></svg>",
    '<video><source onerror="window.__xss=24"></video>',
    "<audio src=x onerror=window.__xss=25>",
    '" onmouseover="window.__xss=26" x="',
    "<form><button formaction=javascript:window.__xss=27>go</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=28">',
    "<svg/onload=window.__xss=29>",
    "<x contenteditable autofocus onfocus=window.__xss=30>x</x>",
    "javascript:window.__xss=31//",
    "<img src=x onerror=alert(32)>",
    "<div style=\"background:url('javascript:window.__xss=33')\">s</div>",
    "<template><script>window.__xss=34</script></template><script>window.__xss=35</script>",
]


@pytest.fixture
def hostile_record(live_server) -> dict:
    incident = IncidentFactory(title=f"Incident {PAYLOADS[0]}", slug="hostile-incident")
    claims = []
    for number, payload in enumerate(PAYLOADS):
        speaker = ActorFactory(name=f"Actor {number} {payload}", slug=f"hostile-actor-{number}")
        document = DocumentFactory(title=f"Report {number} {payload}", publisher=speaker)
        claim = ClaimFactory(
            speaker=speaker,
            incident=incident,
            summary=f"Actor {number} says {payload}",
            quote=payload,
            made_on=dt.date(2017, 9, 1) + dt.timedelta(days=number),
        )
        AttributionFactory(claim=claim, position=1, actor=speaker, document=document, verb="said")
        claims.append(claim)
    return {"url": live_server.url, "incident": incident, "claims": claims}


def _visit_and_check(tab: Page, url: str, must_show: list[str]) -> None:
    tab.goto(url)
    tab.wait_for_load_state("load")
    assert tab.evaluate("window.__xss") is None, url
    assert tab.dialogs == [], url
    text = tab.inner_text("body")
    for expected in must_show:
        assert expected in text, (url, expected)


def test_payloads_in_every_field_show_as_text_and_run_nothing(
    page: Page,  # noqa: F811  (the shared fixture)
    hostile_record: dict,
) -> None:
    base = hostile_record["url"]
    for number, claim in enumerate(hostile_record["claims"]):
        payload = PAYLOADS[number]
        # The claim page shows all four fields: speaker's name, summary, quote, document title.
        shown = [f"Actor {number} {payload}", f"Actor {number} says {payload}"]
        _visit_and_check(page, f"{base}/claims/{claim.pk}/", [*shown, f"Report {number} {payload}"])
    for number in range(0, len(PAYLOADS), 6):
        claim = hostile_record["claims"][number]
        _visit_and_check(page, f"{base}/actors/hostile-actor-{number}/", [f"Actor {number}"])
        document = claim.attributions.get().document
        _visit_and_check(
            page, f"{base}/documents/{document.pk}/", [f"Report {number} {PAYLOADS[number]}"]
        )
    _visit_and_check(page, f"{base}/incidents/hostile-incident/", [f"Incident {PAYLOADS[0]}"])
    _visit_and_check(page, f"{base}/timeline/", ["Actor"])
    _visit_and_check(page, f"{base}/search/?q=Actor", ["Actor"])
    _visit_and_check(page, f"{base}/", [])
    assert Claim.objects.count() == len(PAYLOADS)


def test_api_docs_page_runs_under_the_content_security_policy(
    page: Page,  # noqa: F811  (the shared fixture)
    live_server,
) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=15000)
    assert page.locator(".opblock").count() > 10
    assert violations == []
