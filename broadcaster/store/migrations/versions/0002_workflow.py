"""announcements, approval, history, as-run, faults

Revision ID: 0002_workflow
Revises: 0001_users
Create Date: 2026-11-23 07:46:01.568265
"""
from alembic import op
import sqlalchemy as sa
import broadcaster.store.models.base


revision = '0002_workflow'
down_revision = '0001_users'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('as_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('started_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('engines', sa.String(length=200), nullable=False),
    sa.Column('approved_by', sa.String(length=80), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_as_run'))
    )
    with op.batch_alter_table('as_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_as_run_ref'), ['ref'], unique=False)
        batch_op.create_index('ix_as_run_started', ['started_at'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('script', 'recording', name='announcement_kind', native_enum=False, length=32), nullable=False),
    sa.Column('state', sa.Enum('draft', 'submitted', 'approved', 'rejected', 'queued', 'airing', 'aired', 'interrupted', 'failed', 'expired', name='announcement_state', native_enum=False, length=32), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('zones', sa.JSON(), nullable=False),
    sa.Column('chime', sa.String(length=32), nullable=False),
    sa.Column('valid_from', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_until', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('recording_path', sa.String(length=500), nullable=True),
    sa.Column('recording_sha256', sa.String(length=64), nullable=True),
    sa.Column('retry_count', sa.Integer(), nullable=False),
    sa.Column('max_retries', sa.Integer(), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=True),
    sa.Column('approved_hash', sa.String(length=64), nullable=True),
    sa.Column('approved_audio', sa.String(length=500), nullable=True),
    sa.Column('approved_engines', sa.String(length=200), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_announcements_approved_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_announcements_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_state'), ['state'], unique=False)

    op.create_table('faults',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=True),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('state', sa.Enum('raised', 'acknowledged', 'resolved', name='fault_state', native_enum=False, length=32), nullable=False),
    sa.Column('occurrences', sa.Integer(), nullable=False),
    sa.Column('raised_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_faults_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_faults_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faults'))
    )
    with op.batch_alter_table('faults', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faults_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_faults_state'), ['state'], unique=False)

    op.create_table('announcement_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_history_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_announcement_history_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_history'))
    )
    with op.batch_alter_table('announcement_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_history_announcement_id'), ['announcement_id'], unique=False)

    op.create_table('announcement_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_texts_announcement_id_announcements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_texts')),
    sa.UniqueConstraint('announcement_id', 'lang', name=op.f('uq_announcement_texts_announcement_id'))
    )
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'rejected', name='decision', native_enum=False, length=32), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('at', broadcaster.store.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_approvals_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_approvals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approvals'))
    )
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approvals_announcement_id'), ['announcement_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approvals_announcement_id'))

    op.drop_table('approvals')
    op.drop_table('announcement_texts')
    with op.batch_alter_table('announcement_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_history_announcement_id'))

    op.drop_table('announcement_history')
    with op.batch_alter_table('faults', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faults_state'))
        batch_op.drop_index(batch_op.f('ix_faults_kind'))

    op.drop_table('faults')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_state'))

    op.drop_table('announcements')
    with op.batch_alter_table('as_run', schema=None) as batch_op:
        batch_op.drop_index('ix_as_run_started')
        batch_op.drop_index(batch_op.f('ix_as_run_ref'))

    op.drop_table('as_run')
