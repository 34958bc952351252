"""Analyst pages about incidents, claims, the timeline and search."""

urlpatterns: list = []
