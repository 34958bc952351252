"""The Celery application; with no CELERY_BROKER_URL the settings make tasks run in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "claimtracker.settings")

app = Celery("claimtracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The task modules are listed in settings (CELERY_IMPORTS): each lives beside what queues it.
