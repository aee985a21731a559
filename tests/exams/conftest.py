from datetime import timedelta

import pytest

from question_bank.importers import ImportResult
from recruit.audit.service import SYSTEM
from recruit.bank import service as bank
from recruit.db import utcnow
from recruit.exams import service
from tests.factories import PASSWORD


@pytest.fixture
def demo_bank(db):
    bank.store_import(db, SYSTEM, ImportResult(items=bank.demo_items()), ["demo"])
    service._assemblers.clear()


@pytest.fixture
def sitting(db, demo_bank):
    now = utcnow()
    return service.create_sitting(db, SYSTEM, title="Corps B, online", program_code="corps-b",
                                  opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7),
                                  capacity=50)


@pytest.fixture
def token_for(client):
    def token(email: str) -> dict[str, str]:
        answer = client.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    return token
