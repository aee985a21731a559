"""The `recruit` command's contract."""

import os
import subprocess
import sys

from sqlmodel import select

from recruit.accounts.models import User, UserRole
from recruit.accounts.passwords import verify_password
from tests.factories import iin_for


def recruit(database_url, *args, stdin=""):
    env = {**os.environ, "RECRUIT_DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "recruit", *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=120)


def test_user_create_makes_a_complete_candidate(database_url, db):
    iin = iin_for(5)
    result = recruit(database_url, "user", "create", "--email", "Cand@Example.kz", "--name", "Ғалым Сәрсенов",
                     "--role", "candidate", "--iin", iin, "--region", "KZ-55", "--language", "kk",
                     "--password-stdin", stdin="a proper long passphrase\n")
    assert result.returncode == 0, result.stderr
    with db.read() as session:
        user = session.exec(select(User).where(User.email == "cand@example.kz")).one()
        roles = session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all()
    assert (user.full_name, user.iin, user.region_code, user.language, roles) == (
        "Ғалым Сәрсенов", iin, "KZ-55", "kk", ["candidate"])
    assert verify_password(user.password_hash, "a proper long passphrase")


def test_user_create_with_several_roles_and_refusals(database_url):
    ok = recruit(database_url, "user", "create", "--email", "staff@example.kz", "--name", "Staff Member",
                 "--role", "author", "--role", "operator", "--password-stdin", stdin="another long passphrase\n")
    assert ok.returncode == 0 and "author, operator" in ok.stdout
    weak = recruit(database_url, "user", "create", "--email", "weak@example.kz", "--name", "Weak",
                   "--role", "admin", "--password-stdin", stdin="password123\n")
    assert weak.returncode == 1 and "password" in weak.stderr
    incomplete = recruit(database_url, "user", "create", "--email", "c2@example.kz", "--name", "No IIN",
                         "--role", "candidate", "--password-stdin", stdin="a proper long passphrase\n")
    assert incomplete.returncode == 1 and "iin" in incomplete.stderr and "region_code" in incomplete.stderr


def test_demo_is_repeatable_and_covers_every_role(database_url, db):
    first = recruit(database_url, "demo")
    second = recruit(database_url, "demo")
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    with db.read() as session:
        roles = set(session.exec(select(UserRole.role)).all())
        languages = set(session.exec(select(User.language)).all())
    assert roles == {"candidate", "author", "commission_member", "hr_analyst", "operator", "admin"}
    assert languages == {"kk", "ru", "en"}
    assert "admin@merit.demo" in first.stdout


def test_commands_refuse_an_unmigrated_database(tmp_path):
    result = recruit(f"sqlite:///{tmp_path / 'empty.sqlite3'}", "demo")
    assert result.returncode == 1 and "recruit db upgrade" in result.stderr


def test_db_upgrade_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    first, second = recruit(url, "db", "upgrade"), recruit(url, "db", "upgrade")
    assert first.returncode == second.returncode == 0
    assert "96 reference rows added; 2 program versions added" in first.stdout
    assert "0 reference rows added; 0 program versions added" in second.stdout
    assert recruit(url, "audit", "verify").returncode == 0


def test_demo_load_candidates_can_sign_in_and_are_booked(database_url, db, client):
    from recruit.exams.models import Booking

    result = recruit(database_url, "demo", "--load-candidates", "3", "--password", "load-test-pass-2026")
    assert result.returncode == 0, result.stderr
    assert "Load-test candidates: 3 created" in result.stdout
    token = client.post("/api/v1/tokens", json={"email": "load2@merit.test", "password": "load-test-pass-2026"})
    assert token.status_code == 201
    sittings = client.get("/api/v1/sittings", headers={"Authorization": f"Bearer {token.json()['token']}"}).json()
    from recruit.demo import CORPS_B_SITTING, PRACTICE_SITTING

    booked = {s["title"]: s["booked"] for s in sittings}
    assert booked[CORPS_B_SITTING] is True and booked[PRACTICE_SITTING] is False
    with db.read() as session:
        user = session.exec(select(User).where(User.email == "load3@merit.test")).one()
        assert session.exec(select(Booking).where(Booking.candidate_id == user.id)).first() is not None
    again = recruit(database_url, "demo", "--load-candidates", "3", "--password", "load-test-pass-2026")
    assert "Load-test candidates: 0 created" in again.stdout
