"""exam operations: the client an attempt was last seen from, for the operator console and integrity log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import recruit.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', recruit.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('client_ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=True))
        batch_op.add_column(sa.Column('client_agent', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('client_agent')
        batch_op.drop_column('client_ip')
        batch_op.drop_column('last_seen_at')
