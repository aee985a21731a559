from tests.competitions.conftest import announce, hr, sit  # noqa: F401  (the competition fixtures)
