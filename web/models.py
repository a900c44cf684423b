"""The database tables (SQLAlchemy 2). The journal (`events`) is append-only: rows are never updated
or deleted; `productions.version` is the number of its events, the version a form was read from."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Production(Base):
    __tablename__ = "productions"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=0)
    feed_token: Mapped[str] = mapped_column(String(100), unique=True)  # the private iCalendar feed URL
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "production_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    production_id: Mapped[int] = mapped_column(ForeignKey("productions.id"))
    role: Mapped[str] = mapped_column(String(30))


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("production_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("productions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per production: the version after it
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)


class Blob(Base):
    """An evidence file stored by its SHA-256 under the data folder (content-addressed, stored once)."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)


class LoginSession(Base):
    """A server-side session: the cookie carries the signed token; a login makes a new one (no fixation)."""

    __tablename__ = "sessions"
    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf: Mapped[str] = mapped_column(String(100))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Invitation(Base):
    __tablename__ = "invitations"
    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("productions.id"))
    email: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
