"""audit chain head and append-only triggers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 02:15:23.752191

The chain head table (domain/audit_chain.py) with its one row, and triggers that make the audit
trail append-only in the database itself: no DELETE (nor TRUNCATE), no UPDATE of a sealed
event, and on an unsealed event only the sealing columns (seq, prev_hash, hash) may be set.
The head may only move forward. Someone who can drop a trigger can still change rows; the hash
chain is what catches that (`python main.py audit verify`).

SQLite: a later migration that rebuilds auditevent or auditchainhead with batch_alter_table
(copy and rename) loses these triggers and must create them again (tests/storage/
test_audit_chain.py checks they exist at head).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import domain.types


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
# An event's content: everything but the sealing columns.
CONTENT = (
    "id", "occurred_at", "user_id", "practice_id", "action", "entity_type", "entity_id",
    "outcome", "source_ip", "detail",
)
EVENT_REFUSED = "audit events are append-only"
HEAD_REFUSED = "the audit chain head only moves forward"

SQLITE_UP = [
    f"""CREATE TRIGGER auditevent_no_delete BEFORE DELETE ON auditevent
    BEGIN SELECT RAISE(ABORT, '{EVENT_REFUSED}: DELETE refused'); END""",
    f"""CREATE TRIGGER auditevent_no_update BEFORE UPDATE ON auditevent
    WHEN OLD.seq IS NOT NULL OR {' OR '.join(f'NEW.{c} IS NOT OLD.{c}' for c in CONTENT)}
    BEGIN SELECT RAISE(ABORT, '{EVENT_REFUSED}: only sealing may update an event, once'); END""",
    f"""CREATE TRIGGER auditchainhead_no_delete BEFORE DELETE ON auditchainhead
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED}: DELETE refused'); END""",
    f"""CREATE TRIGGER auditchainhead_forward_only BEFORE UPDATE ON auditchainhead
    WHEN NEW.seq < OLD.seq OR NEW.id IS NOT OLD.id
    BEGIN SELECT RAISE(ABORT, '{HEAD_REFUSED}'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS auditchainhead_forward_only",
    "DROP TRIGGER IF EXISTS auditchainhead_no_delete",
    "DROP TRIGGER IF EXISTS auditevent_no_update",
    "DROP TRIGGER IF EXISTS auditevent_no_delete",
]

_CONTENT_CHANGED = (
    "(" + ", ".join(f"NEW.{c}" for c in CONTENT) + ") IS DISTINCT FROM ("
    + ", ".join(f"OLD.{c}" for c in CONTENT) + ")"
)
POSTGRESQL_UP = [
    f"""CREATE FUNCTION auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
            RAISE EXCEPTION '{EVENT_REFUSED}: % refused', TG_OP;
        END IF;
        IF OLD.seq IS NOT NULL OR {_CONTENT_CHANGED} THEN
            RAISE EXCEPTION '{EVENT_REFUSED}: only sealing may update an event, once';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON auditevent
    FOR EACH ROW EXECUTE FUNCTION auditevent_append_only()""",
    """CREATE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION auditevent_append_only()""",
    f"""CREATE FUNCTION auditchainhead_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') OR NEW.seq < OLD.seq OR NEW.id <> OLD.id THEN
            RAISE EXCEPTION '{HEAD_REFUSED}';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER auditchainhead_forward_only BEFORE UPDATE OR DELETE ON auditchainhead
    FOR EACH ROW EXECUTE FUNCTION auditchainhead_forward_only()""",
    """CREATE TRIGGER auditchainhead_no_truncate BEFORE TRUNCATE ON auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION auditchainhead_forward_only()""",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER IF EXISTS auditchainhead_no_truncate ON auditchainhead",
    "DROP TRIGGER IF EXISTS auditchainhead_forward_only ON auditchainhead",
    "DROP FUNCTION IF EXISTS auditchainhead_forward_only()",
    "DROP TRIGGER IF EXISTS auditevent_no_truncate ON auditevent",
    "DROP TRIGGER IF EXISTS auditevent_append_only ON auditevent",
    "DROP FUNCTION IF EXISTS auditevent_append_only()",
]


def upgrade() -> None:
    head = op.create_table('auditchainhead',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sealed_at', domain.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_at', domain.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_count', sa.Integer(), nullable=True),
    sa.Column('verify_problem', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    # The empty chain: seq 0 on the genesis hash; the first seal continues from here.
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])
    for statement in _statements(up=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(up=False):
        op.execute(statement)
    op.drop_table('auditchainhead')


def _statements(*, up: bool) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return POSTGRESQL_UP if up else POSTGRESQL_DOWN
    return SQLITE_UP if up else SQLITE_DOWN
