"""Analyst pages about actors and documents."""

urlpatterns: list = []
