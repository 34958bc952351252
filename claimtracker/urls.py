"""Top-level URL map: admin, health probe, REST API and analyst pages.

Everything of the apps is included by its dotted name: the project package imports no app.
"""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "claimtracker editors"
admin.site.site_title = "claimtracker"
admin.site.index_title = "The record"

urlpatterns = [
    # The editor assistant's pages (before the admin's own, which would take the path).
    path("admin/propose/", include("claims.admin.assistant")),
    path("admin/", admin.site.urls),
    path("healthz", include("claims.pages.health")),
    path("api/v1/", include("claims.api.urls", namespace="api")),
    path("", include("claims.pages.urls")),
]

# A 500 names its request id (HTML for pages, problem details under /api/).
handler500 = "claimtracker.errors.server_error"
# Under /api/ these answer problem details (claimtracker.problems); pages keep their HTML.
handler400 = "claimtracker.errors.bad_request"
handler403 = "claimtracker.errors.permission_denied"
handler404 = "claimtracker.errors.page_not_found"
