"""Alembic environment: always run on the connection the ledger opened (one transaction)."""

from alembic import context

from appeals.ledger.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
context.run_migrations()
