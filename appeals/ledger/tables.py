"""The ledger's tables as SQLAlchemy Core objects: what the queries are written against.

The Alembic migrations under ``migrations/versions`` build exactly these tables; a test
compares the two so they cannot drift. Item ids are assigned by the ingest itself (under
the ledger's write lock) so new items and their events can be bulk-loaded together, by
COPY on PostgreSQL, without a round trip per row for generated keys.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()

# Items still worked or waited on (states.WORKING), as the queue's index and query spell it.
WORKING_SQL = "state IN ('open', 'drafted', 'submitted', 'partly_won', 'lost')"

# Every text column the ingest copies from the classified line, in this order.
ITEM_TEXT = (
    "payer", "payer_name", "payer_type", "claim_type", "claim_id", "payer_claim_number",
    "member_id", "patient_name", "procedure_code", "modifiers", "line_control_number",
    "status", "pattern", "patterns", "route", "action", "carcs", "rarcs", "deadline_basis",
    "next_level", "submitted_via", "last_file",
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("item_key", String(400), nullable=False, unique=True),
    Column("line_key", String(400), nullable=False),
    *(Column(name, String(400), nullable=False, server_default="") for name in ITEM_TEXT),
    Column("service_date", Date),
    Column("state", String(20), nullable=False),
    Column("level", Integer, nullable=False, server_default="1"),
    Column("billed_amount", Float),
    Column("paid_at_denial", Float),
    Column("paid_amount", Float),
    Column("denied_amount", Float),
    Column("recovered_amount", Float, nullable=False, server_default="0"),
    Column("written_off_amount", Float, nullable=False, server_default="0"),
    Column("denial_date", Date),
    Column("deadline", Date),
    Column("submitted_on", Date),
    Column("resolved_on", Date),
    Column("last_row", Integer),
    Column("first_seen_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    # The queue reads the working items in deadline order straight off this index.
    Index("ix_items_working", "deadline", "id", sqlite_where=text(WORKING_SQL),
          postgresql_where=text(WORKING_SQL)),
    Index("ix_items_claim", "claim_id"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("source", String(400), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
)

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("name", String(400), nullable=False),
    Column("loaded_at", DateTime, nullable=False),
    Column("lines", Integer, nullable=False),
)

# Lines seen per file, payer and month: the denominator of denial rates.
volume = Table(
    "volume",
    metadata,
    Column("file_id", Integer, ForeignKey("files.id"), nullable=False, index=True),
    Column("payer", String(100), nullable=False),
    Column("month", String(7), nullable=False),
    Column("lines", Integer, nullable=False),
    Column("denied", Integer, nullable=False),
    Column("billed_amount", Float, nullable=False),
)
