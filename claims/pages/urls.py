"""The analyst pages: home, timeline, incidents, claims, actors, documents and search."""

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from claims.pages import claimreview, claims, history, indexes, sources


class Favicon(RedirectView):
    """Browsers ask for /favicon.ico whatever a page names: send them to our own drawing. Not
    permanent, since its collected name changes with each deployment."""

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("favicon.svg")


urlpatterns = [
    path("", claims.home, name="home"),
    path("timeline/", claims.timeline, name="timeline"),
    path("incidents/", indexes.incident_list, name="incident-list"),
    path("incidents/<slug:slug>/", claims.incident_detail, name="incident-detail"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/history/", history.claim_history, name="claim-history"),
    path("actors/", indexes.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", sources.actor_detail, name="actor-detail"),
    path("documents/", indexes.document_list, name="document-list"),
    path("documents/<int:pk>/", sources.document_detail, name="document-detail"),
    path("search/", claims.search_page, name="search"),
    path("claimreview/", claimreview.feed, name="claimreview-feed"),
    path("favicon.ico", Favicon.as_view(), name="favicon"),
]
