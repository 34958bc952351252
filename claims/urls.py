"""Analyst pages about incidents, claims, the timeline and search."""

from django.urls import path

from claims import views

urlpatterns = [
    path("", views.home, name="home"),
    path("timeline/", views.timeline, name="timeline"),
    path("incidents/<slug:slug>/", views.incident_detail, name="incident-detail"),
    path("claims/<int:pk>/", views.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/history/", views.claim_history, name="claim-history"),
    path("search/", views.search_page, name="search"),
]
