"""Items, their append-only events, and the files already recorded.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TEXT = (
    "payer", "payer_name", "payer_type", "claim_type", "claim_id", "payer_claim_number",
    "member_id", "patient_name", "procedure_code", "modifiers", "line_control_number",
    "status", "pattern", "patterns", "route", "action", "carcs", "rarcs", "deadline_basis",
    "next_level", "submitted_via", "last_file",
)


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("item_key", sa.String(400), nullable=False, unique=True),
        sa.Column("line_key", sa.String(400), nullable=False),
        *(sa.Column(n, sa.String(400), nullable=False, server_default="") for n in _TEXT),
        sa.Column("service_date", sa.Date),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer, nullable=False, server_default="1"),
        sa.Column("billed_amount", sa.Float),
        sa.Column("paid_at_denial", sa.Float),
        sa.Column("paid_amount", sa.Float),
        sa.Column("denied_amount", sa.Float),
        sa.Column("recovered_amount", sa.Float, nullable=False, server_default="0"),
        sa.Column("written_off_amount", sa.Float, nullable=False, server_default="0"),
        sa.Column("denial_date", sa.Date),
        sa.Column("deadline", sa.Date),
        sa.Column("submitted_on", sa.Date),
        sa.Column("resolved_on", sa.Date),
        sa.Column("last_row", sa.Integer),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    working = sa.text("state IN ('open', 'drafted', 'submitted', 'partly_won', 'lost')")
    op.create_index("ix_items_working", "items", ["deadline", "id"], sqlite_where=working,
                    postgresql_where=working)
    op.create_index("ix_items_claim", "items", ["claim_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
    )
    op.create_index("ix_events_item_id", "events", ["item_id"])
    op.create_table(
        "files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
        sa.Column("lines", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("files")
    op.drop_table("items")
