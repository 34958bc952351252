"""Top-level URL map: admin, health probe, REST API and analyst pages."""

from django.contrib import admin
from django.urls import include, path

from claimtracker.health import healthz

admin.site.site_header = "claimtracker editors"
admin.site.site_title = "claimtracker"
admin.site.index_title = "The record"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("claims.api.urls", namespace="api")),
    path("", include("claims.pages.urls")),
]

# A 500 names its request id (HTML for pages, JSON under /api/).
handler500 = "claimtracker.errors.server_error"
