"""The REST API under /api/v1/: one router for every resource, namespaced "api"."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from claims.api import (
    dataset,
    ledger,
    schema,  # noqa: F401  (registers the token scheme with the schema)
)
from claims.api.actor_parts import AffiliationViewSet, AliasViewSet
from claims.api.figure_views import FigureViewSet
from claims.api.problems import ProblemTypesView, ProblemTypeView
from claims.api.proposals import AcceptView, ProposalsView
from claims.api.search import SearchView
from claims.api.source_views import ActorViewSet, DocumentViewSet
from claims.api.views import (
    ClaimViewSet,
    EvidenceViewSet,
    IncidentViewSet,
    ResponseViewSet,
    TimelineViewSet,
)

app_name = "api"


class Router(DefaultRouter):
    """Lets any path segment reach a detail view unless the view narrows it.

    DRF's default pattern stops at dots, so ``/claims/1.5/`` would fall through to the site's HTML
    404; here it reaches the view, whose get_object() answers the API's JSON 404 to a key the
    database cannot hold (DRF's get_object_or_404 turns the ValueError into Http404).
    """

    def get_lookup_regex(self, viewset: type, lookup_prefix: str = "") -> str:
        field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or field
        value = getattr(viewset, "lookup_value_regex", r"[^/]+")
        return f"(?P<{lookup_prefix}{kwarg}>{value})"


router = Router()
router.register("actors", ActorViewSet, basename="actor")
router.register("aliases", AliasViewSet, basename="alias")
router.register("affiliations", AffiliationViewSet, basename="affiliation")
router.register("documents", DocumentViewSet, basename="document")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("claims", ClaimViewSet, basename="claim")
router.register("responses", ResponseViewSet, basename="response")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("figures", FigureViewSet, basename="figure")
router.register("timeline", TimelineViewSet, basename="timeline")

urlpatterns = [
    path("search/", SearchView.as_view(), name="search"),
    # What each problem answer's `type` means (claimtracker.problems).
    path("problems/", ProblemTypesView.as_view(), name="problems"),
    path("problems/<str:kind>/", ProblemTypeView.as_view(), name="problem"),
    # The editor assistant (issue 17).
    path("proposals/", ProposalsView.as_view(), name="proposals"),
    path("proposals/accept/", AcceptView.as_view(), name="proposals-accept"),
    path("dataset/datapackage.zip", dataset.DatasetPackageView.as_view(), name="dataset-package"),
    path("ledger/head/", ledger.LedgerHeadView.as_view(), name="ledger-head"),
    path("ledger/proof/inclusion/", ledger.InclusionProofView.as_view(), name="ledger-inclusion"),
    path(
        "ledger/proof/consistency/",
        ledger.ConsistencyProofView.as_view(),
        name="ledger-consistency",
    ),
    path(
        "ledger/custody/evidence/<str:pk>/",
        ledger.CustodyBundleView.as_view(),
        {"kind": "evidence"},
        name="custody-evidence",
    ),
    path(
        "ledger/custody/documents/<str:pk>/",
        ledger.CustodyBundleView.as_view(),
        {"kind": "documents"},
        name="custody-documents",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

# Background jobs (issue 5). urlpatterns above already expanded the router, so expand it again.
from claims.api.jobs import ImportJobViewSet, WebhookSubscriptionViewSet  # noqa: E402

_expanded = {id(pattern) for pattern in router.urls}
router.register("webhooks", WebhookSubscriptionViewSet, basename="webhook")
router.register("imports", ImportJobViewSet, basename="import")
urlpatterns = [p for p in urlpatterns if id(p) not in _expanded] + router.urls
