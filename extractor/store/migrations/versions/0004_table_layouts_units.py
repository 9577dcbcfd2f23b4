"""reports.layouts (the layout of each table) and fields.unit (an amount's printed unit).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, Sequence[str], None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("layouts", sa.JSON(none_as_null=True), nullable=True))
    with op.batch_alter_table("fields") as batch:
        batch.add_column(sa.Column("unit", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fields") as batch:
        batch.drop_column("unit")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("layouts")
