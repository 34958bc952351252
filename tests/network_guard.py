"""No test sends traffic beyond loopback: connects, datagrams and name look-ups are refused.

Installed by tests/conftest.py in ``pytest_configure``, so it holds in every xdist worker and
before any test module is imported. It patches Python's socket module only: PostgreSQL (libpq
speaks from C), Chromium and other subprocesses are not covered, and need none of it to reach
127.0.0.1.

A connect to an address outside 127.0.0.0/8 and ::1 raises ``OutsideNetworkBlocked``, which is
not an OSError, so no retry loop or ``except OSError`` can swallow it. A look-up of any name but
localhost (and a reverse look-up of any address but loopback) raises ``socket.gaierror`` — what a
machine without DNS answers, and what code that resolves names already handles — naming the
guard; IP literals pass a forward look-up, which asks no server, and meet the connect check.
Tests that need names use the ``no_outside_dns`` fixture, which fakes the fetcher's resolver.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost."})
HINT = "tests may reach only loopback (fake names with the no_outside_dns fixture)"


class OutsideNetworkBlocked(RuntimeError):
    """A test tried to reach an address beyond loopback."""


def _literal(host: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address ``host`` spells, if it is an IP literal (a scope id is ignored)."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return None
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return None


def is_loopback(host: object) -> bool:
    """Whether ``host`` is localhost or a literal loopback address (127.0.0.0/8, ::1)."""
    name = host.decode("ascii", "replace") if isinstance(host, bytes) else host
    if isinstance(name, str) and name.lower() in LOCAL_NAMES:
        return True
    address = _literal(name)
    if address is None:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _check_address(sock: socket.socket, address: Any) -> None:
    if sock.family == socket.AF_UNIX:
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not is_loopback(host):
        raise OutsideNetworkBlocked(f"network guard: refused to reach {address!r}: {HINT}")


def _refuse_name(host: object, *, reverse: bool = False) -> None:
    """A forward look-up of an IP literal asks no server (the connect is checked later); a
    reverse one does, so only loopback passes there."""
    if host is None or is_loopback(host) or (not reverse and _literal(host) is not None):
        return
    raise socket.gaierror(socket.EAI_NONAME, f"network guard: refused to look up {host!r}: {HINT}")


class Guard:
    """Patches the socket module in place; ``uninstall`` puts the originals back."""

    def __init__(self) -> None:
        self.originals: list[tuple[object, str, Callable]] = []

    def _patch(self, owner: object, name: str, make: Callable[[Callable], Callable]) -> None:
        original = getattr(owner, name)
        self.originals.append((owner, name, original))
        setattr(owner, name, make(original))

    def install(self) -> None:
        def connect(original: Callable) -> Callable:
            def guarded(sock: socket.socket, address: Any) -> Any:
                _check_address(sock, address)
                return original(sock, address)

            return guarded

        def sendto(original: Callable) -> Callable:
            def guarded(sock: socket.socket, data: bytes, *args: Any) -> int:
                if args:  # sendto(data, address) or sendto(data, flags, address)
                    _check_address(sock, args[-1])
                return original(sock, data, *args)

            return guarded

        def sendmsg(original: Callable) -> Callable:
            def guarded(sock: socket.socket, buffers: Any, *args: Any) -> int:
                if len(args) >= 3 and args[2] is not None:  # (ancdata, flags, address)
                    _check_address(sock, args[2])
                return original(sock, buffers, *args)

            return guarded

        def lookup(original: Callable, *, reverse: bool = False) -> Callable:
            def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
                _refuse_name(host, reverse=reverse)
                return original(host, *args, **kwargs)

            return guarded

        for name in ("connect", "connect_ex"):
            self._patch(socket.socket, name, connect)
        self._patch(socket.socket, "sendto", sendto)
        self._patch(socket.socket, "sendmsg", sendmsg)
        for name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
            self._patch(socket, name, lookup)
        self._patch(socket, "gethostbyaddr", lambda original: lookup(original, reverse=True))

    def uninstall(self) -> None:
        while self.originals:
            owner, name, original = self.originals.pop()
            setattr(owner, name, original)
