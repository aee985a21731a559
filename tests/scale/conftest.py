from tests.competitions.conftest import sit  # noqa: F401  (sittings through the real services)
