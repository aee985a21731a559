from tests.competitions.conftest import sit  # noqa: F401  (sitting tests through the real exam service)
