"""Settings of the bench server: the application's own, with the peer's route added."""

from claimtracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
