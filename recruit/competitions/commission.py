"""A competition's commission: its seats, the members' conflict-of-interest declarations and the quorum.

A chair and members vote (an odd number, at least three); the secretary keeps the record and does not vote.
Each voting member declares, per applicant, before any score for that applicant can be entered; a conflicted
member is excluded for that applicant and the quorum (two thirds of the members who may score) recomputed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from recruit.accounts.models import Role, User, UserRole
from recruit.accounts.service import CurrentUser
from recruit.audit.service import record
from recruit.competitions.models import Application, CommissionSeat, Competition, ConflictDeclaration
from recruit.competitions.service import DECIDED, CompetitionError, NotFound
from recruit.db import Database
from recruit.errors import FormErrors
from recruit.i18n import N_

CHAIR, MEMBER, SECRETARY = "chair", "member", "secretary"
VOTING = (CHAIR, MEMBER)


@dataclass(frozen=True)
class Seat:
    id: int
    user_id: int
    name: str
    role: str


def form_commission(db: Database, manager: CurrentUser, competition_id: int, seats: list[tuple[int, str]],
                    now: datetime) -> list[Seat]:
    """Set the commission; allowed until its first declaration, so nobody is swapped once work has begun."""
    problems = _seat_problems(seats)
    if problems:
        raise FormErrors({"seats": problems})
    with db.write() as session:
        competition = session.get(Competition, competition_id)
        if competition is None:
            raise NotFound(N_("No such competition."))
        current = session.exec(select(CommissionSeat).where(CommissionSeat.competition_id == competition_id)).all()
        if competition.state == DECIDED or _declared(session, [s.id for s in current]):
            raise CompetitionError(N_("The commission has begun its work and can no longer change."))
        eligible = set(session.exec(select(UserRole.user_id).where(
            UserRole.role == Role.COMMISSION_MEMBER, UserRole.user_id.in_([u for u, _ in seats]))).all())
        if eligible != {u for u, _ in seats}:
            raise FormErrors({"seats": N_("Every seat needs a user with the commission member role.")})
        before = [{"user": s.user_id, "role": s.role} for s in current]
        for seat in current:
            session.delete(seat)
        session.flush()
        for user_id, role in seats:
            session.add(CommissionSeat(competition_id=competition_id, user_id=user_id, role=role))
        record(session, manager.actor, "commission.formed", "competition", competition_id, before={"seats": before},
               after={"seats": [{"user": u, "role": r} for u, r in seats]}, at=now)
    return commission(db, competition_id)


def _seat_problems(seats: list[tuple[int, str]]) -> str | None:
    roles = [role for _, role in seats]
    voting = sum(role in VOTING for role in roles)
    if len({u for u, _ in seats}) != len(seats) or any(role not in (*VOTING, SECRETARY) for role in roles):
        return N_("Each person holds one seat: chair, member or secretary.")
    if roles.count(CHAIR) != 1 or roles.count(SECRETARY) != 1:
        return N_("A commission has one chair and one secretary.")
    if voting < 3 or voting % 2 == 0:
        return N_("The chair and members must be an odd number, at least three.")
    return None


def _declared(session: Session, seat_ids: list[int]) -> bool:
    return session.exec(select(ConflictDeclaration.seat_id).where(
        ConflictDeclaration.seat_id.in_(seat_ids))).first() is not None


def commission(db: Database, competition_id: int) -> list[Seat]:
    with db.read() as session:
        rows = session.exec(select(CommissionSeat, User.full_name).join(User, User.id == CommissionSeat.user_id)
                            .where(CommissionSeat.competition_id == competition_id)).all()
    order = {CHAIR: 0, MEMBER: 1, SECRETARY: 2}
    return sorted((Seat(s.id, s.user_id, name, s.role) for s, name in rows), key=lambda s: (order[s.role], s.name))


def candidates_for_seats(db: Database) -> list[tuple[int, str]]:
    """People who may sit on a commission."""
    with db.read() as session:
        return [(u.id, u.full_name) for u in session.exec(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.COMMISSION_MEMBER, User.is_active.is_(True)).order_by(User.full_name)).all()]


def my_seats(db: Database, member: CurrentUser) -> list[tuple[Competition, str]]:
    with db.read() as session:
        return list(session.exec(select(Competition, CommissionSeat.role).join(CommissionSeat)
                                 .where(CommissionSeat.user_id == member.id).order_by(Competition.id.desc())).all())


@dataclass(frozen=True)
class Applicant:
    application_id: int
    name: str
    stage: str | None
    status: str
    declaration: ConflictDeclaration | None    # the caller's own
    quorum: Quorum


@dataclass(frozen=True)
class Desk:
    """A member's view of a competition: their seat, the panel, and each eligible applicant with their own
    declaration (never another member's)."""

    competition: Competition
    seat: CommissionSeat
    seats: list[Seat]
    applicants: list[Applicant]


def desk(db: Database, member: CurrentUser, competition_id: int) -> Desk:
    with db.read() as session:
        seat = seat_of(session, member, competition_id)
        competition = session.get(Competition, competition_id)
        rows = session.exec(select(Application, User.full_name).join(User, User.id == Application.candidate_id)
                            .where(Application.competition_id == competition_id,
                                   Application.status.in_(("eligible", "out", "ranked")))
                            .order_by(User.full_name)).all()
        mine = {d.application_id: d for d in session.exec(select(ConflictDeclaration).where(
            ConflictDeclaration.seat_id == seat.id)).all()}
    applicants = [Applicant(a.id, name, a.stage, a.status, mine.get(a.id), quorum(db, a.id)) for a, name in rows]
    return Desk(competition, seat, commission(db, competition_id), applicants)


def member_of(db: Database, member: CurrentUser, competition_id: int) -> CommissionSeat:
    with db.read() as session:
        return seat_of(session, member, competition_id)


def seat_of(session: Session, user: CurrentUser, competition_id: int) -> CommissionSeat:
    """The caller's seat; someone without one learns nothing about the competition's applicants."""
    seat = session.exec(select(CommissionSeat).where(CommissionSeat.competition_id == competition_id,
                                                     CommissionSeat.user_id == user.id)).first()
    if seat is None:
        raise NotFound(N_("No such competition."))
    return seat


def declare(db: Database, member: CurrentUser, application_id: int, conflicted: bool, note: str,
            now: datetime, competition_id: int | None = None) -> ConflictDeclaration:
    """One declaration per member and applicant, final once made (a later change would invite abuse)."""
    note = " ".join(note.split())
    if conflicted and not note:
        raise FormErrors({"note": N_("Describe the conflict of interest.")})
    with db.write() as session:
        application = session.get(Application, application_id)
        if application is None or competition_id not in (None, application.competition_id):
            raise NotFound(N_("No such application."))
        seat = seat_of(session, member, application.competition_id)
        if seat.role not in VOTING:
            raise CompetitionError(N_("The secretary does not score and makes no declaration."))
        if session.get(ConflictDeclaration, (seat.id, application_id)) is not None:
            raise CompetitionError(N_("You have already declared for this applicant."))
        declaration = ConflictDeclaration(seat_id=seat.id, application_id=application_id, conflicted=conflicted,
                                          note=note or None, declared_at=now)
        session.add(declaration)
        record(session, member.actor, "commission.declared", "application", application_id,
               after={"seat": seat.id, "conflicted": conflicted, "note": note or None}, at=now)
        return declaration


@dataclass(frozen=True)
class Quorum:
    voting: int          # chair and members
    excluded: int        # conflicted for this applicant
    required: int        # scores needed for a valid result

    @property
    def possible(self) -> bool:
        return self.voting - self.excluded >= self.required


def quorum(db: Database, application_id: int) -> Quorum:
    with db.read() as session:
        return quorum_in(session, application_id)


def quorum_in(session: Session, application_id: int) -> Quorum:
    """Two thirds of the members who may score this applicant, and never fewer than two."""
    application = session.get(Application, application_id)
    seats = session.exec(select(CommissionSeat).where(
        CommissionSeat.competition_id == application.competition_id, CommissionSeat.role.in_(VOTING))).all()
    excluded = len(session.exec(select(ConflictDeclaration).where(
        ConflictDeclaration.application_id == application_id, ConflictDeclaration.conflicted.is_(True),
        ConflictDeclaration.seat_id.in_([s.id for s in seats]))).all())
    available = len(seats) - excluded
    return Quorum(len(seats), excluded, max(2, math.ceil(2 * available / 3)))
