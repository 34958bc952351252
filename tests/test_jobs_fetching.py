"""The forgery-safe fetcher: hostile URLs never reach a refused address, and each gets a reason."""

from __future__ import annotations

import time

import pytest

from claims.jobs import fetching

# Every disguise of the trap server's address (127.0.0.2, port P allowed), and other refused
# places. Nothing listens on the non-loopback addresses: the fetcher refuses before connecting.
HOSTILE = [
    ("http://127.0.0.2:P/", "loopback"),
    ("http://2130706434:P/", "loopback"),  # decimal
    ("http://0x7f000002:P/", "loopback"),  # hexadecimal
    ("http://0177.0.0.2:P/", "loopback"),  # octal
    ("http://017700000002:P/", "loopback"),  # octal, one number
    ("http://0x7f.0.0.2:P/", "loopback"),  # mixed
    ("http://127.000.000.002:P/", "loopback"),  # zero-padded
    ("http://127.2:P/", "loopback"),  # short form
    ("http://0x7f.2:P/", "loopback"),
    ("http://127.0.0.2.:P/", "loopback"),  # trailing dot
    ("http://[::ffff:127.0.0.2]:P/", "loopback"),  # IPv4-mapped
    ("http://[::ffff:7f00:2]:P/", "loopback"),  # IPv4-mapped, hex
    ("http://[0:0:0:0:0:ffff:127.0.0.2]:P/", "loopback"),
    ("http://[::127.0.0.2]:P/", "loopback"),  # IPv4-compatible
    ("http://[2002:7f00:2::]:P/", "loopback"),  # 6to4
    ("http://[64:ff9b::127.0.0.2]:P/", "loopback"),  # NAT64
    ("http://[::1]:P/", "loopback"),
    ("http://localhost:P/", "loopback"),  # a name that resolves to 127.0.0.1 and ::1
    ("http://evil.test:P/", "loopback"),  # a name that resolves to 127.0.0.2
    ("http://EVIL.test.:P/", "loopback"),
    ("http://rebind.test:P/", "loopback"),  # one public and one loopback address
    ("http://0:P/", "unspecified"),
    ("http://0.0.0.0:P/", "unspecified"),
    ("http://[::]:P/", "unspecified"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://metadata.test/", "metadata"),
    ("http://[fd00:ec2::254]/", "metadata"),
    ("http://[2002:a9fe:a9fe::]/", "metadata"),  # 6to4 of the metadata address
    ("http://[64:ff9b::a9fe:a9fe]/", "metadata"),  # NAT64 of the metadata address
    ("http://169.254.10.10/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://100.64.0.1/", "CGNAT"),
    ("http://224.0.0.1/", "multicast"),
    ("http://198.18.0.1/", "refused address"),  # benchmarking
    ("http://240.0.0.1/", "refused address"),  # reserved
    ("http://255.255.255.255/", "refused address"),  # broadcast
    ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "refused address"),  # Teredo
    ("http://[::ffff:127.0.0.2%25lo]:P/", "zone"),
    ("http://127.0.0.08:P/", "disguised"),  # not octal, not decimal: libc guesses
    ("http://\u2460\u2461\u2466.0.0.2:P/", "disguised"),  # circled digits
    ("http://user:secret@127.0.0.2:P/", "user name"),
    ("http://127.0.0.2:P@evil.test/", "user name"),
    ("ftp://127.0.0.2:P/", "only http and https"),
    ("file:///etc/passwd", "only http and https"),
    ("gopher://127.0.0.2:P/", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("http://127.0.0.2:22/", "port 22"),
    ("http://public.test:8080/", "port 8080"),
    ("http:///nohost", "no host"),
]

# Redirects from an allowed server towards refused places: every hop is checked again.
REDIRECTED = [
    ("http://127.0.0.2:T/", "loopback"),
    ("http://2130706434:T/", "loopback"),
    ("http://[::ffff:127.0.0.2]:T/", "loopback"),
    ("http://evil.test:T/", "loopback"),
    ("http://localhost:T/", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://10.0.0.1/", "private"),
    ("file:///etc/passwd", "only http and https"),
    ("gopher://127.0.0.2:T/", "only http and https"),
    ("http://127.0.0.2:22/", "port 22"),
]


@pytest.fixture
def resolver(no_outside_dns):
    no_outside_dns.update(
        {
            "evil.test": ["127.0.0.2"],
            "rebind.test": ["93.184.216.34", "127.0.0.2"],
            "metadata.test": ["169.254.169.254"],
            "public.test": ["93.184.216.34"],
        }
    )
    return no_outside_dns


def test_the_hostile_table_holds_forty_urls() -> None:
    assert len(HOSTILE) + len(REDIRECTED) >= 40
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize(("url", "reason"), HOSTILE, ids=[u for u, _ in HOSTILE])
def test_hostile_url_is_refused_before_any_connection(url, reason, trap, resolver, settings):
    settings.ARCHIVE_ALLOWED_NETWORKS = []
    with pytest.raises(fetching.Blocked) as refused:
        fetching.fetch(url.replace(":P", f":{trap.port}"))
    assert reason in refused.value.reason
    assert trap.recorder.connections == 0


@pytest.mark.parametrize(("target", "reason"), REDIRECTED, ids=[u for u, _ in REDIRECTED])
def test_redirect_to_a_refused_place_is_refused(target, reason, web, trap, resolver):
    start = web.url("/redirect?to=" + target.replace(":T", f":{trap.port}"))
    with pytest.raises(fetching.Blocked) as refused:
        fetching.fetch(start)
    assert reason in refused.value.reason
    assert trap.recorder.connections == 0
    assert web.recorder.requests[0]["path"].startswith("/redirect")


def test_allowed_loopback_server_is_fetched_with_what_it_sent(web):
    fetched = fetching.fetch(web.url("/page.html"))
    assert fetched.status == 200
    assert fetched.body == web.PAGE_HTML.encode()
    assert fetched.content_type == "text/html; charset=utf-8"
    assert fetched.final_url == web.url("/page.html")


def test_five_redirects_are_followed_and_the_final_url_kept(web):
    fetched = fetching.fetch(web.url("/chain/4"))
    assert fetched.final_url == web.url("/text")
    assert len(fetched.hops) == 6  # the URL and five redirects


def test_a_sixth_redirect_is_too_many(web):
    with pytest.raises(fetching.Failed, match="more than 5 redirects"):
        fetching.fetch(web.url("/chain/5"))


def test_a_server_that_drips_a_byte_a_second_is_cut_off_at_the_deadline(web, settings):
    settings.ARCHIVE_DEADLINE = 2
    started = time.monotonic()
    with pytest.raises(fetching.Unavailable, match="deadline"):
        fetching.fetch(web.url("/drip"))
    assert time.monotonic() - started < 3.5


def test_a_body_over_the_byte_limit_is_refused(web):
    with pytest.raises(fetching.Failed, match="larger than the limit"):
        fetching.fetch(web.url("/big"), max_bytes=web.BIG_BYTES - 1)


def test_server_errors_are_worth_retrying_and_client_errors_are_not(web):
    with pytest.raises(fetching.Unavailable) as error:
        fetching.fetch(web.url("/status/503"))
    assert error.value.retryable
    with pytest.raises(fetching.Failed) as error:
        fetching.fetch(web.url("/status/404"))
    assert not error.value.retryable


def test_loopback_is_refused_unless_allowed_by_the_setting(web, settings):
    settings.ARCHIVE_ALLOWED_NETWORKS = []
    with pytest.raises(fetching.Blocked, match="loopback"):
        fetching.fetch(web.url("/text"))
    assert web.recorder.connections == 0
