"""Typed models, one module per aggregate; importing this registers them all on Base."""

from portal.models.audit import AccessLogEntry, AuditChainHead
from portal.models.base import Base
from portal.models.clients import ClientAssignment
from portal.models.feedback import Feedback
from portal.models.identity import Client, Role, SingleUseToken, StaffRole, StaffUser, UserSession
from portal.models.outbox import OutboxMessage

__all__ = [
    "AccessLogEntry",
    "AuditChainHead",
    "Base",
    "Client",
    "ClientAssignment",
    "Feedback",
    "OutboxMessage",
    "Role",
    "SingleUseToken",
    "StaffRole",
    "StaffUser",
    "UserSession",
]
