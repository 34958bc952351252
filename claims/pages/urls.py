"""The analyst pages: home, timeline, incidents, claims, actors, documents and search."""

from django.urls import path

from claims.pages import claims, indexes, sources

urlpatterns = [
    path("", claims.home, name="home"),
    path("timeline/", claims.timeline, name="timeline"),
    path("incidents/", indexes.incident_list, name="incident-list"),
    path("incidents/<slug:slug>/", claims.incident_detail, name="incident-detail"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/history/", claims.claim_history, name="claim-history"),
    path("actors/", indexes.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", sources.actor_detail, name="actor-detail"),
    path("documents/", indexes.document_list, name="document-list"),
    path("documents/<int:pk>/", sources.document_detail, name="document-detail"),
    path("search/", claims.search_page, name="search"),
]
