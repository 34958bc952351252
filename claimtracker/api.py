"""The REST API under /api/v1/: one router for every resource."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
