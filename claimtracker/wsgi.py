"""WSGI entry point for production servers (gunicorn claimtracker.wsgi --preload).

Importing it reads the whole URL map, and so every view module and what they import (the editor
assistant's spaCy among them): with ``--preload``, gunicorn's master does that once and its
workers are forked with it, where each worker's first request would otherwise pay for it (1-4 s)
and each worker hold its own copy. Nothing here opens a connection (tests/test_wsgi.py), so the
workers share none.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtracker.settings")

application = get_wsgi_application()
# Checking the map (what `manage.py check` reports on; its findings are that command's) reads
# every URL module and the views they name.
get_resolver().check()
