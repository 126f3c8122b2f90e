"""security: sessions, one-time links, SSO identities, MFA, audit chain

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 02:10:33.031053
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import domain.types


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('externalidentity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', domain.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', domain.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider', 'subject')
    )
    with op.batch_alter_table('externalidentity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_externalidentity_user_id'), ['user_id'], unique=False)

    op.create_table('onetimelink',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('purpose', sa.Enum('invite', 'reset', name='linkpurpose', native_enum=False, length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.Column('created_at', domain.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', domain.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', domain.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', domain.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['issued_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('onetimelink', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onetimelink_user_id'), ['user_id'], unique=False)

    op.create_table('recoverycode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', domain.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', domain.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recoverycode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recoverycode_user_id'), ['user_id'], unique=False)

    op.create_table('usersession',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', domain.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', domain.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', domain.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('mfa', sa.Boolean(), nullable=False),
    sa.Column('source_ip', sqlmodel.sql.sqltypes.AutoString(length=45), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_usersession_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_auditevent_seq', ['seq'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', domain.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_failed_sign_in_at', domain.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_until', domain.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('password_changed_at', domain.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mfa_secret', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch_op.add_column(sa.Column('mfa_enabled_at', domain.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('mfa_last_step', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('mfa_last_step')
        batch_op.drop_column('mfa_enabled_at')
        batch_op.drop_column('mfa_secret')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('last_failed_sign_in_at')
        batch_op.drop_column('failed_sign_ins')
        batch_op.drop_column('deactivated_at')

    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_constraint('uq_auditevent_seq', type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usersession_user_id'))

    op.drop_table('usersession')
    with op.batch_alter_table('recoverycode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recoverycode_user_id'))

    op.drop_table('recoverycode')
    with op.batch_alter_table('onetimelink', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onetimelink_user_id'))

    op.drop_table('onetimelink')
    with op.batch_alter_table('externalidentity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_externalidentity_user_id'))

    op.drop_table('externalidentity')
