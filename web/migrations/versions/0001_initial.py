"""The first schema: users, productions, memberships, the journal, blobs, sessions, login failures, invitations.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("email", sa.String(200), nullable=False, unique=True),
                    sa.Column("name", sa.String(200), nullable=False),
                    sa.Column("password_hash", sa.String(200), nullable=False),
                    sa.Column("created", TS, nullable=False))
    op.create_table("productions", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("slug", sa.String(100), nullable=False, unique=True),
                    sa.Column("title", sa.String(300), nullable=False),
                    sa.Column("version", sa.Integer, nullable=False),
                    sa.Column("feed_token", sa.String(100), nullable=False, unique=True),
                    sa.Column("created", TS, nullable=False))
    op.create_table("memberships", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("production_id", sa.Integer, sa.ForeignKey("productions.id"), nullable=False),
                    sa.Column("role", sa.String(30), nullable=False),
                    sa.UniqueConstraint("user_id", "production_id"))
    op.create_table("events", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("production_id", sa.Integer, sa.ForeignKey("productions.id"), nullable=False, index=True),
                    sa.Column("seq", sa.Integer, nullable=False),
                    sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
                    sa.Column("at", TS, nullable=False),
                    sa.Column("kind", sa.String(40), nullable=False),
                    sa.Column("payload", sa.JSON, nullable=False),
                    sa.UniqueConstraint("production_id", "seq"))
    op.create_table("blobs", sa.Column("sha256", sa.String(64), primary_key=True),
                    sa.Column("size", sa.Integer, nullable=False))
    op.create_table("sessions", sa.Column("token", sa.String(100), primary_key=True),
                    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                    sa.Column("csrf", sa.String(100), nullable=False),
                    sa.Column("created", TS, nullable=False))
    op.create_table("login_failures", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("key", sa.String(300), nullable=False, index=True),
                    sa.Column("at", TS, nullable=False))
    op.create_table("invitations", sa.Column("token", sa.String(100), primary_key=True),
                    sa.Column("production_id", sa.Integer, sa.ForeignKey("productions.id"), nullable=False),
                    sa.Column("email", sa.String(200), nullable=False),
                    sa.Column("role", sa.String(30), nullable=False),
                    sa.Column("created", TS, nullable=False),
                    sa.Column("note", sa.Text, nullable=True))


def downgrade() -> None:
    for table in ("invitations", "login_failures", "sessions", "blobs", "events", "memberships", "productions", "users"):
        op.drop_table(table)
