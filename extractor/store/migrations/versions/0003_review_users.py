"""review_users and review_settings: the people of the review app and its cookie key.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names(schema=op.get_context().version_table_schema))
    # stores the review app used before this migration made these tables itself
    if "review_users" not in existing:
        op.create_table(
            "review_users",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("name", sa.String(length=128), nullable=False, unique=True),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("password_hash", sa.Text(), nullable=False),
            sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        )
    if "review_settings" not in existing:
        op.create_table(
            "review_settings",
            sa.Column("key", sa.String(length=64), primary_key=True),
            sa.Column("value", sa.Text(), nullable=False),
        )


def downgrade() -> None:
    op.drop_table("review_settings")
    op.drop_table("review_users")
