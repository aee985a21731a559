"""Result certificates (PDF, in the candidate's language) and the public verification of their codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from recruit import i18n
from recruit.accounts.models import User
from recruit.accounts.service import CurrentUser
from recruit.bank import service as bank
from recruit.db import Database
from recruit.exams.models import Attempt
from recruit.exams.service import TERMINATED, ExamError, NotFound, months_before
from recruit.i18n import N_, gettext
from reports.certificate import Certificate, render_certificate

LABELS = {
    "title": N_("Certificate of a civil-service test result"), "candidate": N_("Candidate"), "iin": N_("IIN"),
    "program": N_("Test"), "date": N_("Date"), "language": N_("Language of the test"), "result": N_("Result"),
    "section": N_("Section"), "score": N_("Score"), "requirement": N_("Requirement or level"),
    "code": N_("Verification code"), "verify": N_("Check it at"), "valid_until": N_("Valid until"),
}


def mask_iin(iin: str | None) -> str:
    return "" if not iin else iin[:6] + "*" * 5 + iin[-1]


def mask_name(full_name: str) -> str:
    """What the public page shows: initials only, so a code confirms a result without exposing a person."""
    return " ".join(part[0] + "***" for part in full_name.split() if part)


def _valid_until(attempt: Attempt, months: int) -> date | None:
    if not attempt.passed or attempt.finished_at is None:
        return None
    return months_before(attempt.finished_at, -months).date()


def certificate_pdf(db: Database, candidate: CurrentUser, attempt_id: int, verify_base: str) -> bytes:
    """`verify_base` is the public verification address without the code, e.g. https://merit.gov.kz/verify/."""
    with db.read() as session:
        attempt = session.get(Attempt, attempt_id)
        if attempt is None or attempt.candidate_id != candidate.id:
            raise NotFound(N_("No such attempt."))
        if attempt.state == TERMINATED:
            raise ExamError(N_("A terminated attempt has no certificate."))
        if attempt.scored_at is None:
            raise ExamError(N_("The result is not ready: the attempt is still in progress."))
        program = bank.program_version(session, attempt.program_code, attempt.program_version)
    result = attempt.result or {}
    with i18n.using(candidate.language):
        language = i18n.active_language()
        if result.get("kind") == "competency":
            verdict = gettext("Competency profile")
            rows = tuple((s["title"].get(language, s["title"]["en"]),
                          "—" if s["score"] is None else i18n.format_number(round(s["score"])),
                          (s.get("level_title") or {}).get(language, "") if s.get("level") else "")
                         for s in result["scales"])
            reasons: tuple[str, ...] = ()
        else:
            verdict = gettext("%(verdict)s: %(correct)s correct of %(count)s",
                              verdict=gettext("Passed") if result["passed"] else gettext("Not passed"),
                              correct=i18n.format_number(result["correct"]), count=result["count"])
            rows = tuple((s["title"].get(language, s["title"]["en"]),
                          f"{i18n.format_number(s['correct'])} / {s['count']}",
                          gettext("at least %(minimum)s", minimum=s["minimum"])) for s in result["sections"])
            reasons = tuple(_reason(r, language) for r in result["reasons"])
        until = _valid_until(attempt, program.validity_months)
        return render_certificate(Certificate(
            language=language, labels={k: gettext(v) for k, v in LABELS.items()}, full_name=candidate.full_name,
            iin_masked=mask_iin(candidate.iin), program_title=program.title.get(language, program.title["en"]),
            taken_on=i18n.format_date(attempt.finished_at.date(), "long"),
            language_name=i18n.LANGUAGE_NAMES[attempt.language], verdict=verdict, rows=rows, reasons=reasons,
            verification_code=attempt.verification_code, verify_url=verify_base + attempt.verification_code,
            valid_until=i18n.format_date(until, "long") if until else None))


def _reason(reason: dict, language: str) -> str:
    if reason["section"] is None:
        return gettext("Total: %(correct)s correct, minimum %(minimum)s",
                       correct=i18n.format_number(reason["correct"]), minimum=reason["minimum"])
    return gettext("%(act)s: %(correct)s correct, minimum %(minimum)s",
                   act=reason["title"].get(language, reason["title"]["en"]),
                   correct=i18n.format_number(reason["correct"]), minimum=reason["minimum"])


@dataclass(frozen=True)
class Verification:
    code: str
    masked_name: str
    program_title: dict
    finished_on: date
    passed: bool | None
    correct: float | None
    count: int | None
    valid_until: date | None


def verify(db: Database, code: str) -> Verification | None:
    """Public: what a verification code confirms. Codes are random and unguessable."""
    with db.read() as session:
        attempt = session.exec(select(Attempt).where(Attempt.verification_code == code.strip().upper())).first()
        if attempt is None or attempt.scored_at is None:
            return None
        name = session.get(User, attempt.candidate_id).full_name
        program = bank.program_version(session, attempt.program_code, attempt.program_version)
    return Verification(attempt.verification_code, mask_name(name), dict(program.title), attempt.finished_at.date(),
                        attempt.passed, attempt.correct, (attempt.result or {}).get("count"),
                        _valid_until(attempt, program.validity_months))
