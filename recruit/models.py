"""Every table, imported in one place for Alembic and tests."""

from sqlmodel import SQLModel

from recruit.appeals.models import Appeal
from recruit.accounts.models import ApiToken, LoginThrottle, User, UserRole, WebSession
from recruit.audit.models import AuditEvent
from recruit.bank.models import AssembledForm, BankItem, ProgramRecord
from recruit.competitions.models import (
    Application, ApplicationEvent, CommissionSeat, Competition, ConflictDeclaration, Interview, Protocol,
    RankingEntry, ScoreSheet, StageOutcome,
)
from recruit.notifications.models import Notification
from recruit.exams.models import Attempt, AttemptEvent, Booking, NeutralisedItem, Response, Sitting
from recruit.reference.models import PositionCategory, Region, StateBody

metadata = SQLModel.metadata

__all__ = [
    "Application", "ApplicationEvent", "CommissionSeat", "Competition", "ConflictDeclaration", "Interview",
    "Protocol", "RankingEntry", "ScoreSheet", "StageOutcome",
    "ApiToken", "Appeal", "NeutralisedItem", "Notification", "AssembledForm", "Attempt", "AttemptEvent", "AuditEvent", "BankItem", "Booking", "ProgramRecord",
    "Response", "Sitting", "LoginThrottle", "PositionCategory", "Region", "StateBody",
    "User", "UserRole", "WebSession", "metadata",
]
