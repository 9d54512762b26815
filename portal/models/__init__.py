"""Typed models, one module per aggregate; importing this registers them all on Base."""

from portal.models.audit import AccessLogEntry, AuditChainHead, ListView
from portal.models.base import Base
from portal.models.booking import AppointmentOffer, AvailabilityRule, BlockedDay, Booking, Slot
from portal.models.clients import ClientAssignment
from portal.models.consent import (
    ConsentEvent,
    ConsentEventKind,
    ConsentRequest,
    ConsentSignature,
    ConsentStatus,
)
from portal.models.feedback import Feedback
from portal.models.identity import Client, Role, SingleUseToken, StaffRole, StaffUser, UserSession
from portal.models.outbox import OutboxMessage
from portal.models.pathway import EventKind, Pathway, PathwayEvent, PathwayStatus
from portal.models.questionnaire import QuestionnaireResponse, ResponseStatus, ReviewNote

__all__ = [
    "AccessLogEntry",
    "AppointmentOffer",
    "AuditChainHead",
    "AvailabilityRule",
    "Base",
    "BlockedDay",
    "Booking",
    "Client",
    "ClientAssignment",
    "ConsentEvent",
    "ConsentEventKind",
    "ConsentRequest",
    "ConsentSignature",
    "ConsentStatus",
    "EventKind",
    "Feedback",
    "ListView",
    "OutboxMessage",
    "Pathway",
    "PathwayEvent",
    "PathwayStatus",
    "QuestionnaireResponse",
    "ResponseStatus",
    "ReviewNote",
    "Role",
    "SingleUseToken",
    "Slot",
    "StaffRole",
    "StaffUser",
    "UserSession",
]
