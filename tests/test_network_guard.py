"""No test sends traffic beyond loopback: the guard installed by conftest refuses it."""

from __future__ import annotations

import socket

import pytest

from claims.jobs import fetching
from tests.network_guard import OutsideNetworkBlocked, is_loopback

# TEST-NET-3 (RFC 5737): documentation only, never anyone's server.
OUTSIDE = ("203.0.113.1", 80)


@pytest.fixture
def listener():
    """A TCP server socket on 127.0.0.1 that accepts nothing but the handshake."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()
    server.close()


def test_connect_beyond_loopback_is_refused_naming_the_address() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(
            OutsideNetworkBlocked, match=r"network guard: refused to reach.*203\.0\.113\.1"
        ),
    ):
        sock.connect(OUTSIDE)


def test_connect_ex_beyond_loopback_is_refused_too() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(OutsideNetworkBlocked, match=r"203\.0\.113\.1"),
    ):
        sock.connect_ex(OUTSIDE)


def test_create_connection_cannot_slip_past_as_an_os_error() -> None:
    """create_connection() swallows OSErrors per address; the guard's error is not one."""
    with pytest.raises(OutsideNetworkBlocked, match=r"203\.0\.113\.1"):
        socket.create_connection(OUTSIDE, timeout=1)


def test_a_datagram_beyond_loopback_is_refused() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(OutsideNetworkBlocked, match=r"203\.0\.113\.1"),
    ):
        sock.sendto(b"x", ("203.0.113.1", 53))


def test_looking_up_an_outside_name_is_refused_naming_it() -> None:
    with pytest.raises(socket.gaierror, match=r"network guard: refused to look up 'example\.com'"):
        socket.getaddrinfo("example.com", 80)
    with pytest.raises(socket.gaierror, match=r"'example\.com'"):
        socket.gethostbyname("example.com")


def test_a_reverse_look_up_of_an_outside_address_is_refused() -> None:
    with pytest.raises(
        socket.gaierror, match=r"network guard: refused to look up '203\.0\.113\.1'"
    ):
        socket.gethostbyaddr("203.0.113.1")


def test_the_fetcher_reports_a_refused_name_as_not_resolving() -> None:
    """Without the no_outside_dns fixture the fetcher's real resolver meets the guard, and says
    so in the words it uses for a name that does not resolve."""
    with pytest.raises(fetching.Unavailable, match=r"does not resolve.*network guard"):
        fetching.resolve("example.com", 443)


def test_connecting_to_loopback_works(listener) -> None:
    with socket.create_connection(listener, timeout=2) as sock:
        assert sock.getpeername() == listener


def test_localhost_still_resolves_to_loopback() -> None:
    addresses = {info[4][0] for info in socket.getaddrinfo("localhost", 80)}
    assert addresses
    assert all(is_loopback(address) for address in addresses)


def test_unix_sockets_are_left_alone(tmp_path) -> None:
    path = str(tmp_path / "s")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("10.0.0.1", False),
        ("::ffff:203.0.113.1", False),
        ("0.0.0.0", False),
        ("example.com", False),
        ("127.0.0.1.example.com", False),
    ],
)
def test_only_loopback_counts_as_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_faked_dns_still_works(no_outside_dns) -> None:
    no_outside_dns["hooks.example.org"] = ["127.0.0.1"]
    assert fetching.resolve("hooks.example.org", 443) == ["127.0.0.1"]
