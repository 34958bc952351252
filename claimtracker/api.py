"""The REST API under /api/v1/: one router for every resource, namespaced "api"."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from claims.api.views import (
    ClaimViewSet,
    EvidenceViewSet,
    IncidentViewSet,
    ResponseViewSet,
    SearchView,
    TimelineViewSet,
)
from sources.api import schema  # noqa: F401  (registers the token scheme with the schema)
from sources.api.views import ActorViewSet, DocumentViewSet

app_name = "api"

router = DefaultRouter()
router.register("actors", ActorViewSet, basename="actor")
router.register("documents", DocumentViewSet, basename="document")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("claims", ClaimViewSet, basename="claim")
router.register("responses", ResponseViewSet, basename="response")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("timeline", TimelineViewSet, basename="timeline")

urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

# Background jobs (issue 5). urlpatterns above already expanded the router, so expand it again.
from claims.api.jobs import ImportJobViewSet, WebhookSubscriptionViewSet  # noqa: E402

_expanded = {id(pattern) for pattern in router.urls}
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register("imports", ImportJobViewSet, basename="import")
urlpatterns = [p for p in urlpatterns if id(p) not in _expanded] + router.urls
