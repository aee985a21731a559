"""A stateful property test of one attempt: saves (fresh, stale, repeated), a second device, a moving clock,
the operator's pause, resume and extra time, submit, submit again, the sweeper and a server restart. Invariants: the stored answer is the newest
acknowledged one; nothing is accepted after deadline + grace; the score equals pure scoring of what is stored."""

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from sqlmodel import select

from question_bank.assembly import form_from_json
from question_bank.scoring import score_form
from recruit.accounts.service import Registration, create_user
from recruit.audit.service import SYSTEM
from recruit.bank import service as bank
from recruit.bank.models import AssembledForm
from recruit.db import Database, utcnow
from recruit.exams import operations, service
from recruit.exams.models import Attempt, Response
from tests.factories import PASSWORD, iin_for

COUNTER = itertools.count(1000)


def run(database_url):
    class AttemptMachine(RuleBasedStateMachine):
        @initialize()
        def begin(self):
            self.db = Database(database_url)
            n = next(COUNTER)
            self.user = create_user(self.db, Registration(
                full_name=f"Machine {n}", email=f"machine{n}@example.kz", iin=iin_for(n), region_code="KZ-55",
                language="ru", password=PASSWORD, password_confirm=PASSWORD), require_consent=False)
            self.operator = create_user(self.db, Registration(
                full_name=f"Operator {n}", email=f"operator{n}@example.kz", iin=iin_for(n + 5000), region_code="KZ-55",
                language="ru", password=PASSWORD, password_confirm=PASSWORD, roles=("operator",)),
                require_consent=False)
            self.now = utcnow()
            sitting = service.create_sitting(self.db, SYSTEM, title=f"m{n}", program_code="corps-b",
                                             opens_at=self.now - timedelta(minutes=1),
                                             closes_at=self.now + timedelta(days=1), operator_id=self.operator.id)
            service.book(self.db, self.user, sitting.id, self.now)
            view, _ = service.start(self.db, self.user, sitting.id, "ru", self.now, "device-a")
            self.attempt_id, self.items = view.id, view.items
            self.deadline = view.deadline_at
            self.device = "device-a"
            self.acked: dict[int, tuple[int, tuple[str, ...]]] = {}
            self.seq = 0
            self.closed = False
            self.paused_at = None

        def _open(self):
            return not self.closed and self.now <= self.deadline + service.GRACE

        @rule(slot=st.integers(1, 55), pick=st.integers(0, 4), device=st.sampled_from(["device-a", "device-b"]))
        def save(self, slot, pick, device):
            options = self.items[slot - 1].options
            choice = (options[pick % len(options)][0],)
            self.seq += 1
            try:
                ack = service.save(self.db, self.user, self.attempt_id, slot, list(choice), self.seq, self.now, device)
            except service.ExamError:
                assert not self._open() or device != self.device or self.paused_at
                return
            assert self._open() and device == self.device and not self.paused_at and ack.saved
            self.acked[slot] = (self.seq, choice)

        @precondition(lambda self: self.acked)
        @rule(data=st.data())
        def stale_or_repeated_save(self, data):
            slot = data.draw(st.sampled_from(sorted(self.acked)))
            seq, choice = self.acked[slot]
            other = tuple(o[0] for o in self.items[slot - 1].options[:1])
            repeat = data.draw(st.booleans())
            try:
                ack = service.save(self.db, self.user, self.attempt_id, slot, list(choice if repeat else other),
                                   seq if repeat else seq - 1, self.now, self.device)
            except service.ExamError:
                assert not self._open() or self.paused_at
                return
            assert ack.saved is repeat

        @rule()
        def second_device(self):
            self.device = "device-b" if self.device == "device-a" else "device-a"
            service.resume(self.db, self.user, self.attempt_id, self.now, self.device)
            if self.now > self.deadline + service.GRACE and not self.paused_at:
                self.closed = True

        @rule(seconds=st.integers(0, 1500))
        def advance(self, seconds):
            self.now += timedelta(seconds=seconds)

        @rule()
        def submit(self):
            first = service.submit(self.db, self.user, self.attempt_id, self.now)
            assert service.submit(self.db, self.user, self.attempt_id, self.now + timedelta(seconds=5)) == first
            self.closed = True

        @rule()
        def sweep(self):
            service.sweep(self.db, self.now)
            if self.now > self.deadline + service.GRACE and not self.paused_at:
                self.closed = True

        @precondition(lambda self: not self.closed and not self.paused_at)
        @rule()
        def operator_pauses(self):
            operations.pause_attempt(self.db, self.operator, self.attempt_id, "outage", self.now)
            self.paused_at = self.now

        @precondition(lambda self: self.paused_at)
        @rule()
        def operator_resumes(self):
            try:
                operations.resume_attempt(self.db, self.operator, self.attempt_id, self.now)
            except service.ExamError:
                assert self.closed
            else:
                assert not self.closed
                self.deadline += self.now - self.paused_at
            self.paused_at = None

        @precondition(lambda self: not self.closed)
        @rule(minutes=st.integers(1, 30))
        def operator_gives_extra_time(self, minutes):
            operations.extend(self.db, self.operator, self.attempt_id, minutes, "fire alarm", self.now)
            self.deadline += timedelta(minutes=minutes)

        @invariant()
        def the_server_holds_the_modelled_deadline(self):
            if hasattr(self, "db"):
                assert service.view(self.db, self.user, self.attempt_id, self.now).deadline_at == self.deadline

        @rule()
        def restart(self):
            self.db.dispose()
            service._assemblers.clear()
            self.db = Database(database_url)

        @invariant()
        def stored_answers_are_the_newest_acknowledged(self):
            if not hasattr(self, "db"):
                return
            view = service.view(self.db, self.user, self.attempt_id, self.now)
            assert {slot: ids for slot, ids in view.responses.items()} == {s: c for s, (_, c) in self.acked.items()}
            assert {slot: seq for slot, seq in view.seqs.items()} == {s: q for s, (q, _) in self.acked.items()}

        @invariant()
        def a_closed_attempt_is_scored_from_what_is_stored(self):
            if not hasattr(self, "db") or not self.closed:
                return
            with self.db.read() as session:
                attempt = session.get(Attempt, self.attempt_id)
                form = form_from_json(session.get(AssembledForm, attempt.form_id).content)
                stored = {r.slot: r.selected for r in session.exec(
                    select(Response).where(Response.attempt_id == attempt.id))}
                program = bank.program_version(session, attempt.program_code, attempt.program_version)
                items = service._form_items(session, form)
            assert attempt.state in ("submitted", "expired") and attempt.scored_at is not None
            responses = {fi.item_id: frozenset(stored.get(slot, ())) for slot, fi in enumerate(form.items, start=1)}
            assert attempt.correct == score_form(program, form, items, responses).correct
            if attempt.state == "expired":
                assert attempt.finished_at == attempt.deadline_at

        def teardown(self):
            if hasattr(self, "db"):
                self.db.dispose()

    run_state_machine_as_test(AttemptMachine, settings=settings(
        max_examples=12, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))


def test_attempt_state_machine(database_url, demo_bank):
    run(database_url)
