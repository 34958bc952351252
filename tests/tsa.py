"""A time-stamping authority made in the test: a CA and a TSA certificate made with OpenSSL, and
a loopback HTTP server answering RFC 3161 queries with ``openssl ts -reply``."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = test
[ tsa_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = {serial}
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
"""


def _openssl(*args: str | Path) -> None:
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


def make_authority(folder: Path, name: str = "Test TSA") -> Path:
    """A root CA (folder/ca.crt) and a TSA certificate it signed (folder/tsa.crt, tsa.key)."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "tsa.cnf"
    config.write_text(CONFIG.format(serial=folder / "serial"))
    (folder / "serial").write_text("01\n")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        folder / "ca.key",
        "-out",
        folder / "ca.crt",
        "-days",
        "2",
        "-subj",
        f"/CN={name} Root",
        "-config",
        config,
        "-extensions",
        "ca_ext",
    )
    _openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        folder / "tsa.key",
        "-out",
        folder / "tsa.csr",
        "-subj",
        f"/CN={name}",
        "-config",
        config,
    )
    _openssl(
        "x509",
        "-req",
        "-in",
        folder / "tsa.csr",
        "-CA",
        folder / "ca.crt",
        "-CAkey",
        folder / "ca.key",
        "-CAcreateserial",
        "-out",
        folder / "tsa.crt",
        "-days",
        "2",
        "-extfile",
        config,
        "-extensions",
        "tsa_ext",
    )
    return folder


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Answer time-stamp queries on loopback with the authority in ``folder``; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = folder / "query.tsq"
            query.write_bytes(self.rfile.read(int(self.headers["Content-Length"])))
            reply = folder / "reply.tsr"
            _openssl(
                "ts",
                "-reply",
                "-config",
                folder / "tsa.cnf",
                "-queryfile",
                query,
                "-inkey",
                folder / "tsa.key",
                "-signer",
                folder / "tsa.crt",
                "-out",
                reply,
            )
            data = reply.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
