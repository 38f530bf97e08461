"""staff console: conversation summaries, staff users and sessions, audit log, annotations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("level", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("protocol", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("red_flag", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("fallback", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("human_requested", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    op.create_index("ix_conversations_last_activity_at", "conversations", ["last_activity_at"])
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("staff_users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("messages.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("right_level", sa.String(length=16), nullable=True),
        sa.Column("right_intent", sa.String(length=64), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_annotations_conversation_id", "annotations", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("ix_annotations_conversation_id", table_name="annotations")
    op.drop_table("annotations")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
    op.drop_index("ix_conversations_last_activity_at", table_name="conversations")
    with op.batch_alter_table("conversations") as batch:
        for column in ("language", "human_requested", "fallback", "red_flag", "protocol",
                       "level"):
            batch.drop_column(column)
