"""The REST API under /api/v1/: one router for every resource, namespaced "api"."""

from rest_framework.routers import DefaultRouter

app_name = "api"

router = DefaultRouter()

urlpatterns = router.urls
