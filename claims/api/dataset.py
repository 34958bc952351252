"""The whole dataset as a download: the Frictionless data package (claims.exchange.datapackage),
zipped, read in one snapshot with the signed tree head it names."""

from __future__ import annotations

import io

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from claims.api.params import refuse_unknown
from claims.exchange.datapackage import export_package
from claims.models import reads_drafts

HEAD_HEADER = "X-Claimtracker-Ledger-Head"


class DatasetPackageView(APIView):
    """GET the dataset as a zipped data package; the import endpoint takes the same zip back."""

    # The dataset holds drafts and withdrawn claims: only those who may read them download it.
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Download the whole dataset as a Frictionless data package (zip)",
        description=(
            "One CSV per kind of row (actors, aliases, affiliations, documents, incidents, "
            "claims, claim_targets, figures, attributions, evidence, responses), keyed by slug "
            "or uid (list tables by their parent's key and a position), and datapackage.json "
            "with each table's schema, primary and foreign keys, the licence, and the signed "
            "tree head the data was read at, in one snapshot (also in the "
            "X-Claimtracker-Ledger-Head header, as '<size> <root>'). POST the zip to "
            "/api/v1/imports/ to import it into another instance. Holds drafts and withdrawn "
            "claims, so it is for analysts, editors, reviewers and administrators."
        ),
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The zipped package: datapackage.json and the CSVs.",
                examples=[
                    OpenApiExample(
                        "The package's descriptor (datapackage.json in the zip), shortened",
                        value={
                            "profile": "tabular-data-package",
                            "name": "claimtracker-dataset",
                            "licenses": [{"name": "CC-BY-4.0"}],
                            "head": {"tree_size": 1203, "root_hash": "9f2c…", "key_id": "41d0…"},
                            "resources": [
                                {
                                    "name": "figures",
                                    "path": "figures.csv",
                                    "schema": {"primaryKey": ["claim", "position"]},
                                }
                            ],
                        },
                        response_only=True,
                    )
                ],
            ),
            403: OpenApiResponse(description="The reader may not read drafts."),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        refuse_unknown(request, set())
        if not reads_drafts(request.user):
            raise PermissionDenied(
                "The dataset holds drafts and withdrawn claims: only analysts, editors, "
                "reviewers and administrators may download it."
            )
        buffer = io.BytesIO()
        _, head = export_package(buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="claimtracker-dataset.zip"'
        response[HEAD_HEADER] = f"{head['tree_size']} {head['root_hash']}"
        return response
