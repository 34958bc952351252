"""The typical peer: the claim list as most DRF projects write it, for comparison only.

Plain nested ModelSerializers, ``prefetch_related`` for the accused, ``PageNumberPagination``
(with its COUNT), a ListAPIView. Same rows and fields as ``/api/v1/claims/``. Mounted only by
``bench/urls.py`` under ``/bench/peer/claims/``, never in the application's own URLs.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from claims.models import Claim, Incident, Standing
from sources.models import Actor


class PeerActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["id", "slug", "name", "kind"]


class PeerIncidentSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:incident-detail", lookup_field="slug")

    class Meta:
        model = Incident
        fields = ["id", "slug", "title", "url"]


class PeerClaimSerializer(serializers.ModelSerializer):
    speaker = PeerActorSerializer()
    spokesperson = PeerActorSerializer(allow_null=True)
    incident = PeerIncidentSerializer(allow_null=True)
    made_display = serializers.CharField()
    accused = PeerActorSerializer(many=True)
    standing = serializers.ChoiceField(choices=Standing.choices)
    url = serializers.HyperlinkedIdentityField(view_name="api:claim-detail")
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "uid",
            "kind",
            "status",
            "speaker",
            "spokesperson",
            "summary",
            "made_on",
            "made_precision",
            "made_as_stated",
            "made_display",
            "incident",
            "accused",
            "standing",
            "url",
            "html_url",
        ]

    def get_html_url(self, claim: Claim) -> str:
        return self.context["request"].build_absolute_uri(reverse("claim-detail", args=[claim.pk]))


class PeerPagination(PageNumberPagination):
    page_size = 50


class PeerClaimList(generics.ListAPIView):
    serializer_class = PeerClaimSerializer
    pagination_class = PeerPagination
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Claim]:
        return (
            Claim.objects.published()
            .with_standing()
            .select_related("speaker", "spokesperson", "incident")
            .prefetch_related("claim_targets__actor")
            .order_by("-made_on", "-id")
        )
