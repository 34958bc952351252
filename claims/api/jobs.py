"""API for background work: webhook subscriptions (with their delivery log) and dataset imports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet, ModelViewSet

from claims.api.idempotency import IdempotentWritesMixin
from claims.api.params import StrictParamsMixin
from claims.exchange import files
from claims.exchange.jobs import start_import
from claims.models import EventType, ImportJob, WebhookDelivery, WebhookSubscription
from claimtracker.numbers import plain_int


class ViewPermissions(DjangoModelPermissions):
    """Model permissions for reading too: subscriptions hold secrets, imports name their authors."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class SubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))
    secret = serializers.CharField(
        required=False,
        write_only=True,
        help_text="Shared secret for the signatures; generated (and returned once) when omitted.",
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "secret", "events", "is_active", "created_at"]
        read_only_fields = ["created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        row = WebhookSubscription(**{**self._current(), **attrs})
        row.full_clean(exclude=["created_by"])
        return attrs

    def _current(self) -> dict[str, Any]:
        if self.instance is None:
            return {}
        return {f: getattr(self.instance, f) for f in ["name", "url", "secret", "events"]}


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.uid")
    event_type = serializers.CharField(source="event.event_type")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "status", "attempts", "last_status_code"]
        fields += ["last_error", "last_attempt_at", "delivered_at", "created_at"]


class WebhookSubscriptionViewSet(
    StrictParamsMixin[WebhookSubscription],
    IdempotentWritesMixin[WebhookSubscription],
    ModelViewSet[WebhookSubscription],
):
    """Tools subscribe to events; deliveries are POSTed, signed (see claims.jobs.webhooks)."""

    serializer_class = SubscriptionSerializer
    permission_classes = [ViewPermissions]
    paged_actions = ("list", "deliveries")

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.order_by("id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = serializer.save(created_by=request.user)
        data = {
            **self.get_serializer(subscription).data,
            "secret": subscription.secret,
            # The same key as Standard Webhooks libraries take it (claims/jobs/webhooks.py).
            "standard_secret": subscription.standard_secret,
        }
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The subscription's delivery log, newest first."""
        rows = self.get_object().deliveries.select_related("event").order_by("-created_at", "-id")
        # The stubs let a viewset page only its own model; DRF's paginators take any queryset.
        page = self.paginate_queryset(rows)  # type: ignore[arg-type]
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)


class UploadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        # The limit as a number, for tools that split their files to fit.
        self.detail = {"detail": self.detail, "file": [self.detail]}
        # DRF sends a dict detail as it is; the stubs allow only messages in it, not a number.
        self.detail["max_bytes"] = settings.IMPORT_MAX_BYTES  # type: ignore[assignment]


class ImportJobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    file = serializers.FileField(
        write_only=True,
        help_text="JSON Lines (.jsonl) or CSV (.csv) in UTF-8, or a zipped data package "
        "(export_dataset --format datapackage), at most IMPORT_MAX_BYTES "
        "(20 MB unless configured; larger files are answered 413).",
    )

    class Meta:
        model = ImportJob
        fields = ["id", "file", "original_name", "status", "message", "percent", "total_rows"]
        fields += ["processed_rows", "errors", "created", "attempts", "created_at", "queued_at"]
        fields += ["started_at", "finished_at"]
        read_only_fields = [f for f in fields if f not in ("file", "percent")]

    def validate_file(self, upload: Any) -> Any:
        """The whole file is read once here: too large, empty or not UTF-8 is refused now,
        at the upload, rather than as a job that can only fail."""
        try:
            files.check_size(upload.size)
            files.check_readable(upload.read())
        except files.UnreadableFile as refusal:
            if refusal.too_large:
                raise UploadTooLarge(refusal.message) from None
            raise serializers.ValidationError(refusal.message) from None
        finally:
            upload.seek(0)
        return upload


class ImportJobViewSet(
    IdempotentWritesMixin[ImportJob],
    StrictParamsMixin[ImportJob],
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    GenericViewSet[ImportJob],
):
    """Upload a dataset to import; poll the job for its progress and for every bad row."""

    serializer_class = ImportJobSerializer
    permission_classes = [ViewPermissions]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportJob]:
        return ImportJob.objects.order_by("-created_at", "-id")

    @extend_schema(
        responses={
            202: ImportJobSerializer,
            413: OpenApiResponse(description="The file is larger than IMPORT_MAX_BYTES."),
        }
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Accept a file for import; the answer is the queued job, to poll for its progress."""
        # A body far over the limit is refused before it is read (the form's own fields and
        # boundaries are allowed some room).
        length = plain_int(request.META.get("CONTENT_LENGTH") or "")
        if length is not None and length > settings.IMPORT_MAX_BYTES + 64 * 1024:
            raise UploadTooLarge(
                f"the upload is {files.megabytes(length)}; {files.limit_message()}"
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = start_import(upload=serializer.validated_data["file"], user=request.user)
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)
