"""dossier checks: wrong phone checks counted per dossier code, and the code's lock (issue 17)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dossier_check',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_dossier_check'))
    )
    with op.batch_alter_table('dossier_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_check_window_started_at'), ['window_started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_check_window_started_at'))

    op.drop_table('dossier_check')
