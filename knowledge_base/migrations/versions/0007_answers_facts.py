"""answers issue 16: both counts and alternatives of a document row, a channel row's case and fee
regulation, and the fee table keyed by legal document

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('required_document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('originals', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('copies', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('alternatives', sa.String(length=16), nullable=True))
    with op.batch_alter_table('submission_channel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('condition', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('fee_basis', sa.String(length=64), nullable=True))
    op.create_table('fee_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('legal_number', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('amounts', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('updated_by', sa.String(length=128), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_schedule'))
    )
    with op.batch_alter_table('fee_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_schedule_legal_number'), ['legal_number'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('fee_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_schedule_legal_number'))
    op.drop_table('fee_schedule')
    with op.batch_alter_table('submission_channel', schema=None) as batch_op:
        batch_op.drop_column('fee_basis')
        batch_op.drop_column('condition')
    with op.batch_alter_table('required_document', schema=None) as batch_op:
        batch_op.drop_column('alternatives')
        batch_op.drop_column('copies')
        batch_op.drop_column('originals')
