from tests.competitions.conftest import hr, sit  # noqa: F401  (HR and sitting tests through the real services)
