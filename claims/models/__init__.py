"""What was asserted, answered and shown: incidents, claims, figures, responses, attributions,
evidence and assessments. One module per concept; everything is importable from here."""

from claims.models.evidence import Assessment, Evidence
from claims.models.figures import CasualtyFigure, CasualtyFigureQuerySet, category_words
from claims.models.heartbeat import WorkerHeartbeat
from claims.models.history import ChangeRecord
from claims.models.incidents import Incident, LocationPrecision
from claims.models.jobs import (
    EventType,
    ImportJob,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from claims.models.ledger import SignedHead, TreeNode, TrustedTimestamp, WitnessedHead
from claims.models.links import Attribution, Response
from claims.models.requests import IdempotencyKey
from claims.models.statements import (
    Claim,
    ClaimQuerySet,
    ClaimTarget,
    QuoteCheck,
    Reader,
    Standing,
    listed_statuses,
    made_by,
    reads_drafts,
)

__all__ = [
    "Assessment",
    "Attribution",
    "CasualtyFigure",
    "CasualtyFigureQuerySet",
    "ChangeRecord",
    "Claim",
    "ClaimQuerySet",
    "ClaimTarget",
    "EventType",
    "Evidence",
    "IdempotencyKey",
    "ImportJob",
    "Incident",
    "LocationPrecision",
    "OutboxEvent",
    "QuoteCheck",
    "Reader",
    "Response",
    "SignedHead",
    "Standing",
    "TreeNode",
    "TrustedTimestamp",
    "WebhookDelivery",
    "WebhookSubscription",
    "WitnessedHead",
    "WorkerHeartbeat",
    "category_words",
    "listed_statuses",
    "made_by",
    "reads_drafts",
]
