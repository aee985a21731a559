from tests.competitions.conftest import announce, hr  # noqa: F401  (the competition fixtures)
