"""a desk officer's day (issue 18): offices that procedures inherit, and the versions of an FAQ entry

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 18:59:34.424581
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('opening_hours', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=128), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office')),
    sa.UniqueConstraint('name', name=op.f('uq_office_name'))
    )
    op.create_table('faq_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('faq_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('saved_by', sa.String(length=128), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['faq_id'], ['faq_entry.id'], name=op.f('fk_faq_version_faq_id_faq_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_version')),
    sa.UniqueConstraint('faq_id', 'version', name=op.f('uq_faq_version_faq_id'))
    )
    with op.batch_alter_table('faq_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_version_faq_id'), ['faq_id'], unique=False)

    with op.batch_alter_table('local_override', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_local_override_office_id'), ['office_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_local_override_office_id_office'), 'office', ['office_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('local_override', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_local_override_office_id_office'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_local_override_office_id'))
        batch_op.drop_column('office_id')

    with op.batch_alter_table('faq_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_version_faq_id'))

    op.drop_table('faq_version')
    op.drop_table('office')
