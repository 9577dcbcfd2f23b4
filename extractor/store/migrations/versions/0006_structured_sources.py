"""Web pages and Word files: the source kind and encoding of a document, a field's source cell.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: Union[str, Sequence[str], None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("source_kind", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("encoding", sa.String(length=32), nullable=True))
    with op.batch_alter_table("fields") as batch:
        batch.add_column(sa.Column("provenance", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fields") as batch:
        batch.drop_column("provenance")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("encoding")
        batch.drop_column("source_kind")
