"""Analyst pages about actors and documents."""

from django.urls import path

from sources import views

urlpatterns = [
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("documents/<int:pk>/", views.document_detail, name="document-detail"),
]
