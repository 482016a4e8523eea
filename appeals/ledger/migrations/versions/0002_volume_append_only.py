"""Lines seen per payer and month (denial-rate denominators); events made append-only.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE = (
    "CREATE TRIGGER events_append_only_{op} BEFORE {OP} ON events "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END"
)
_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION ledger_events_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'ledger events are append-only'; END; $$ LANGUAGE plpgsql"
)
_PG_TRIGGER = (
    "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
    "FOR EACH ROW EXECUTE FUNCTION ledger_events_append_only()"
)


def upgrade() -> None:
    op.create_table(
        "volume",
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id"), nullable=False),
        sa.Column("payer", sa.String(100), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
        sa.Column("denied", sa.Integer, nullable=False),
        sa.Column("billed_amount", sa.Float, nullable=False),
    )
    op.create_index("ix_volume_file_id", "volume", ["file_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        for name in ("update", "delete"):
            op.execute(_SQLITE.format(op=name, OP=name.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_append_only ON events")
        op.execute("DROP FUNCTION ledger_events_append_only()")
    else:
        for name in ("update", "delete"):
            op.execute(f"DROP TRIGGER events_append_only_{name}")
    op.drop_table("volume")
