"""`claimtracker`, the command an installed copy (pip install .) has instead of manage.py."""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtracker.settings")
    execute_from_command_line(sys.argv)
