"""an attempt's latest save is read from its answers

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 22:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import recruit.db

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Each save wrote its time on the attempt as well; the operator's board now takes the latest answer's time.
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_column('last_save_at')


def downgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_save_at', recruit.db.UTCDateTime(), nullable=True))
