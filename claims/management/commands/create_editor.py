"""manage.py create_editor: a local editor account with a fresh random password."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Create (or reset) an editor account for a local run and print its user name and a new "
        "random password. The account may sign in to /admin/ and enter statements."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="editor")
        parser.add_argument(
            "--host", default="127.0.0.1", help="Where the site is served (make run's HOST)."
        )
        parser.add_argument("--port", type=int, default=8000, help="Its port (make run's PORT).")

    def handle(self, *args: object, username: str, host: str, port: int, **options: object) -> None:
        try:
            editors = Group.objects.get(name="editors")
        except Group.DoesNotExist:
            raise CommandError(
                "The editors group is missing: run 'manage.py migrate' first."
            ) from None
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=username)
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.add(editors)
        action = "Created" if created else "Reset the password of"
        self.stdout.write(self.style.SUCCESS(f"{action} the local editor account."))
        self.stdout.write(f"  user name: {username}\n  password:  {password}")
        self.stdout.write(f"  sign in at {sign_in_address(host, port)}")


def sign_in_address(host: str, port: int) -> str:
    """The admin's address on ``host``:``port``; a server listening on every address is
    reached on loopback, and IPv6 addresses go in brackets."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/admin/"
