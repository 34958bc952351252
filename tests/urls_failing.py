"""The real URL map plus two views that fail on purpose, for tests of 500 answers and logs."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from claimtracker import urls


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view failed on purpose")


urlpatterns = [path("boom/", fail), path("api/v1/boom/", fail), *urls.urlpatterns]
handler500 = urls.handler500
