"""manage.py api_token issue|revoke|list: API tokens for tools, stored hashed, with expiry."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from claimtracker.numbers import plain_id
from sources.models import ApiToken


class Command(BaseCommand):
    help = (
        "Issue, revoke or list API tokens. 'issue --user NAME --name TOOL [--days N]' prints the "
        "secret once (only its SHA-256 is kept); 'revoke PREFIX_OR_ID' ends a token at once; "
        "'list [--user NAME]' shows tokens with their state."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token and print its secret once.")
        issue.add_argument("--user", required=True, help="User name the token acts as.")
        issue.add_argument("--name", required=True, help="What the token is for.")
        issue.add_argument("--days", type=int, default=90, help="Days until it expires.")
        issue.add_argument("--dry-run", action="store_true", help="Check, but write nothing.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix or id.")
        revoke.add_argument("token", help="The prefix shown by 'list' (ct_…) or the id.")
        revoke.add_argument("--dry-run", action="store_true", help="Check, but write nothing.")
        listing = sub.add_parser("list", help="List tokens.")
        listing.add_argument("--user", help="Only this user's tokens.")

    def handle(self, *args: object, action: str, **options: object) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_issue(
        self, *, user: str, name: str, days: int, dry_run: bool, **options: object
    ) -> None:
        if not 1 <= days <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user named {user!r}.")
        if dry_run:
            self.stdout.write(f"Would issue a token for {user} ({name}), valid {days} days.")
            return
        token, secret = ApiToken.issue(user=account, name=name, lifetime=dt.timedelta(days=days))
        self.stdout.write(self.style.SUCCESS(f"Issued token {token.key_prefix}… for {user}."))
        self.stdout.write(f"  expires: {token.expires_at:%Y-%m-%d %H:%M} UTC")
        self.stdout.write("  secret (shown once, store it now):")
        self.stdout.write(secret)

    def handle_revoke(self, *, token: str, dry_run: bool, **options: object) -> None:
        prefix = token.rstrip("…")
        number = plain_id(token)
        match = Q(key_prefix=prefix) | Q(pk=number) if number is not None else Q(key_prefix=prefix)
        found = list(ApiToken.objects.filter(match)[:2])
        if not found:
            raise CommandError(f"No token matches {token!r}.")
        if len(found) > 1:
            raise CommandError(f"{token!r} matches several tokens; give the id instead.")
        [api_token] = found
        if dry_run:
            self.stdout.write(f"Would revoke {api_token}.")
            return
        api_token.revoke()
        self.stdout.write(self.style.SUCCESS(f"Revoked {api_token}."))

    def handle_list(self, *, user: str | None, verbosity: int = 1, **options: object) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("-created_at")
        if user:
            tokens = tokens.filter(user__username=user)
        for api_token in tokens:
            state = (
                "active"
                if api_token.is_active
                else "revoked"
                if api_token.revoked_at
                else "expired"
            )
            self.stdout.write(
                f"{api_token.pk:>5}  {api_token.key_prefix}…  {state:<8}  "
                f"{api_token.user.username:<20} {api_token.name}  "
                f"expires {api_token.expires_at:%Y-%m-%d}"
            )
        if verbosity > 1:
            self.stdout.write(f"{tokens.count()} token(s).")
