"""The migrations are the only way the schema is made, so they must build exactly what the models declare."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from recruit.models import metadata


def test_migrations_build_what_the_models_declare(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
