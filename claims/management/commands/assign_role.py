"""manage.py assign_role: give a user a role (analyst, editor, reviewer, administrator)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from claims.roles import ROLE_NAMES, sync_roles

# Accept the singular the help text uses as well as the group's own name.
ALIASES = {name.removesuffix("s"): name for name in ROLE_NAMES} | {n: n for n in ROLE_NAMES}


class Command(BaseCommand):
    help = (
        "Give USER the role ROLE (analyst, editor, reviewer or administrator), or take it away "
        "with --remove. Roles are groups whose permissions are brought up to date first. "
        "Staff status is set so the user can sign in to /admin/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ALIASES))
        parser.add_argument("--remove", action="store_true", help="Take the role away.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would change.")

    def handle(self, *args: object, username: str, role: str, **options: object) -> None:
        group_name = ALIASES[role]
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user called {username!r}.") from None
        verb = "take" if options["remove"] else "give"
        if options["dry_run"]:
            self.stdout.write(f"Would {verb} {username} the role {group_name}.")
            return
        with transaction.atomic():
            sync_roles()
            group = Group.objects.get(name=group_name)
            if options["remove"]:
                user.groups.remove(group)
            else:
                user.groups.add(group)
                if not user.is_staff:
                    user.is_staff = True
                    user.save(update_fields=["is_staff"])
        done = "Removed" if options["remove"] else "Gave"
        self.stdout.write(self.style.SUCCESS(f"{done} the role {group_name} for {username}."))
