from alembic import context

from recruit.db import Database
from recruit.models import metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


db = Database(context.config.get_main_option("sqlalchemy.url"))
try:
    with db.engine.connect() as connection:
        run(connection)
finally:
    db.dispose()
