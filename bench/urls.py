"""The application's URLs plus the benchmark's typical peer, for the bench server only."""

from django.urls import path

from bench.peer import PeerClaimList
from claimtracker.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("bench/peer/claims/", PeerClaimList.as_view(), name="bench-peer-claims"),
    *app_urlpatterns,
]
