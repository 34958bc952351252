"""An HTTP client that cannot be turned against our own network (server-side request forgery).

Archiving and webhook delivery fetch URLs that editors and tools type in. Every hop is checked
before any packet leaves: scheme http/https, an allowed port, and a host that resolves only to
public addresses (or to ranges ARCHIVE_ALLOWED_NETWORKS adds on purpose). The connection is made
to the address that was checked, never to a second resolution of the name (DNS rebinding), and the
whole exchange, redirects included, has one byte limit and one deadline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone

from claimtracker.numbers import plain_int

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "claimtracker-archiver/1.0 (+https://github.com/claimtracker)"

# Ranges no public host lives in, beyond what ipaddress calls non-global: the cloud metadata
# addresses are link-local already; these are listed so the reason names them.
METADATA = [ipaddress.ip_network("169.254.169.254/32"), ipaddress.ip_network("fd00:ec2::254/128")]
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# inet_aton() accepts these as IPv4 ("2130706433", "0x7f.1", "0177.0.0.1"); browsers and
# libc do too, so they must be read the same way here before they are judged.
LOOSE_IPV4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.IGNORECASE)


class FetchError(Exception):
    """A fetch that did not produce a document; ``reason`` is shown to editors."""

    retryable = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Blocked(FetchError):
    """The URL points somewhere we refuse to connect to; retrying cannot help."""


class Failed(FetchError):
    """The server answered with an error or broke a limit; not worth retrying."""


class Unavailable(FetchError):
    """A timeout, a refused connection or a 5xx answer: worth retrying later."""

    retryable = True


@dataclass
class Fetched:
    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: dt.datetime
    hops: list[str] = field(default_factory=list)
    # The last exchange as it went over the wire, for the WARC record (claims/jobs/warc.py).
    method: str = "GET"
    request_headers: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to; tests replace this to play the outside world's DNS."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unavailable(f"the host name {host!r} does not resolve ({error})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read decimal, octal and hexadecimal IPv4 spellings the way inet_aton() does."""
    if not LOOSE_IPV4.match(host):
        return None
    parts = host.rstrip(".").split(".")
    try:
        numbers = [int(p, 0) if not re.fullmatch(r"0[0-7]+", p) else int(p, 8) for p in parts]
    except ValueError:
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in head:
        value = value << 8 | n
    value = value << (8 * (5 - len(numbers))) | last
    return ipaddress.IPv4Address(value)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for: mapped, compatible, 6to4, NAT64, Teredo."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64 or address in NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(int(address))
    return None


def refusal(address: IPAddress) -> str | None:
    """Why we will not connect to ``address``, or None when it is public or allowed."""
    allowed = [ipaddress.ip_network(n, strict=False) for n in settings.ARCHIVE_ALLOWED_NETWORKS]
    if any(address.version == net.version and address in net for net in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address) and (inner := embedded_ipv4(address)):
        reason = refusal(inner)
        return f"{reason} (inside the IPv6 address {address})" if reason else None
    checks = [
        (any(address in net for net in METADATA if net.version == address.version), "metadata"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_unspecified, "unspecified"),
        (address.is_multicast, "multicast"),
        (address.version == 4 and address in ipaddress.ip_network("100.64.0.0/10"), "shared CGNAT"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "non-public"),
    ]
    for hit, name in checks:
        if hit:
            return f"{address} is a {name} address"
    return None


@dataclass
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def check_url(url: str) -> Target:
    """Check scheme, port and every address of the host; return the address to connect to."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise Blocked(f"the URL is malformed ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise Blocked(f"only http and https URLs are fetched, not {scheme or 'no scheme'!r}")
    if parts.username is not None or parts.password is not None:
        raise Blocked("URLs with a user name or password are not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise Blocked("the URL has no host")
    port = port or (443 if scheme == "https" else 80)
    if port not in settings.ARCHIVE_ALLOWED_PORTS:
        raise Blocked(f"port {port} is not allowed (allowed: {settings.ARCHIVE_ALLOWED_PORTS})")
    addresses = _addresses_of(host, port)
    for address in addresses:
        if reason := refusal(address):
            raise Blocked(f"{host} resolves to a refused address: {reason}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme, host, port, path, str(addresses[0]))


def _addresses_of(host: str, port: int) -> list[IPAddress]:
    if "%" in host:
        raise Blocked("IPv6 zone identifiers are not allowed in URLs")
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    if loose := parse_loose_ipv4(host):
        return [loose]
    if re.fullmatch(r"0x[0-9a-f]*|[0-9]+", host.rsplit(".", 1)[-1], re.IGNORECASE):
        # No DNS name ends in a number: libc would read this as some address we cannot see.
        raise Blocked(f"{host!r} looks like a disguised IP address")
    names = resolve(host, port)
    if not names:
        raise Unavailable(f"the host name {host!r} has no addresses")
    # Scope ids ("fe80::1%eth0") are dropped before judging: the address alone decides.
    return [ipaddress.ip_address(name.split("%")[0]) for name in names]


class _Connection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the Host header says."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        family = socket.AF_INET6 if ":" in self.target.address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect((self.target.address, self.target.port))
        except OSError:
            sock.close()
            raise
        if self.target.scheme == "https":
            context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=self.target.host)
        self.sock = sock


class _Deadline:
    """Closes the connection when the deadline passes, even in the middle of a blocking read."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._timer: threading.Timer | None = None

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            self.expired = True
            raise Unavailable("the server did not answer within the deadline")
        return left

    def watch(self, connection: _Connection) -> None:
        def cut() -> None:
            self.expired = True
            if connection.sock is not None:
                with contextlib.suppress(OSError):
                    connection.sock.shutdown(socket.SHUT_RDWR)

        self.stop()
        self._timer = threading.Timer(self.remaining(), cut)
        self._timer.daemon = True
        self._timer.start()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def fetch(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
    deadline: float | None = None,
    follow_redirects: bool = True,
) -> Fetched:
    """Fetch ``url`` safely; raise Blocked, Failed or Unavailable with a reason editors can read.

    5xx answers raise Unavailable; other answers of 400 and above raise Failed.
    """
    max_bytes = settings.ARCHIVE_MAX_BYTES if max_bytes is None else max_bytes
    clock = _Deadline(settings.ARCHIVE_DEADLINE if deadline is None else deadline)
    hops = [url]
    current = url
    try:
        for _ in range(settings.ARCHIVE_MAX_REDIRECTS + 1):
            target = check_url(current)
            status, response_headers, data = _exchange(
                target, method, body, headers or {}, max_bytes, clock
            )
            location = response_headers.get("location")
            if follow_redirects and status in REDIRECTS and location:
                current = urljoin(current, location.strip())
                hops.append(current)
                if status == 303:
                    method, body = "GET", None
                continue
            if status >= 500 or status == 429:
                raise Unavailable(f"the server answered {status}")
            if status >= 400:
                raise Failed(f"the server answered {status}")
            return Fetched(
                url=url,
                final_url=current,
                status=status,
                content_type=response_headers.get("content-type", "")[:200],
                body=data,
                fetched_at=timezone.now(),
                hops=hops,
                method=method,
                request_headers={"Host": target.host, **_sent_headers(headers or {})},
                headers=response_headers,
            )
        raise Failed(f"more than {settings.ARCHIVE_MAX_REDIRECTS} redirects")
    finally:
        clock.stop()


def _sent_headers(headers: dict[str, str]) -> dict[str, str]:
    return {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **headers}


def _exchange(
    target: Target,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    max_bytes: int,
    clock: _Deadline,
) -> tuple[int, dict[str, str], bytes]:
    connection = _Connection(target, timeout=clock.remaining())
    clock.watch(connection)
    try:
        connection.request(
            method,
            target.path,
            body=body,
            headers=_sent_headers(headers),
        )
        response = connection.getresponse()
        response_headers = {k.lower(): v for k, v in response.getheaders()}
        declared = response_headers.get("content-length", "")
        length = plain_int(declared)
        if length is not None and length > max_bytes:
            raise Failed(f"the document is larger than the limit of {max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        if response.status not in REDIRECTS:
            while chunk := response.read1(65536):
                size += len(chunk)
                if size > max_bytes:
                    raise Failed(f"the document is larger than the limit of {max_bytes} bytes")
                chunks.append(chunk)
                clock.remaining()
        if clock.expired:  # the watchdog shut the socket: what we have is cut short
            raise Unavailable("the server did not answer within the deadline")
        return response.status, response_headers, b"".join(chunks)
    except FetchError:
        raise
    except ssl.SSLError as error:
        raise Failed(f"TLS failed: {error.reason or error}") from None
    except (OSError, http.client.HTTPException) as error:
        if clock.expired:
            raise Unavailable("the server did not answer within the deadline") from None
        raise Unavailable(f"the connection failed ({error.__class__.__name__}: {error})") from None
    finally:
        connection.close()
