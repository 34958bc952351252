"""manage.py ledger_witness URL: keep a server's signed head once it extends the one kept before."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.ledger.witness import Unreachable, WitnessFailed, witness


class Command(BaseCommand):
    help = (
        "Fetch the signed tree head of the claimtracker server at URL (its site root), check its "
        "signature and that its tree extends the last head kept for that server (a consistency "
        "proof), and keep it. A fork, a rewrite or a changed key fails, naming the tree sizes "
        "and hashes that disagree; nothing is kept then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", help="The server's site root, e.g. https://claims.example.org")
        parser.add_argument(
            "--public-key",
            default="",
            help="The server's published Ed25519 public key (hex); default: the one it gave "
            "when first witnessed.",
        )
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds per request.")

    def handle(
        self,
        *args: object,
        url: str,
        public_key: str,
        timeout: float,
        verbosity: int,
        **options: object,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise CommandError(f"{url} is not an http(s) URL.")
        try:
            _, outcome = witness(url, public_key=public_key.strip(), timeout=timeout)
        except Unreachable as error:
            raise CommandError(f"No head from the server: {error}") from None
        except WitnessFailed as failure:
            self.stderr.write(self.style.ERROR(str(failure)))
            raise CommandError(
                "The server's history does not extend what it said before."
            ) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"{url}: {outcome}."))
