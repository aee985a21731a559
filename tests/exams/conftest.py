from datetime import timedelta

import pytest

from recruit.audit.service import SYSTEM
from recruit.db import utcnow
from recruit.exams import service


@pytest.fixture
def sitting(db, demo_bank):
    now = utcnow()
    return service.create_sitting(db, SYSTEM, title="Corps B, online", program_code="corps-b",
                                  opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7),
                                  capacity=50)
