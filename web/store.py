"""Reads and writes of the journal: every change goes through `append`, in one transaction that
checks the version the form was read from (a stale write is refused, `StaleError`, with what changed)."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import journal
from .models import Event, Membership, Production, User
from .security import now


@dataclass(frozen=True)
class Entry:
    """An event with its author's name, as replay and the history page read it."""

    seq: int
    kind: str
    payload: dict[str, Any]
    author: str | None
    at: dt.datetime


class StaleError(Exception):
    """The form was read at an older version and someone changed the same things since."""

    def __init__(self, changes: list[Entry]) -> None:
        super().__init__("stale write")
        self.changes = changes


def entries(db: Session, production_id: int, upto: int | None = None) -> list[Entry]:
    query = (select(Event, User.name).outerjoin(User, User.id == Event.author_id)
             .where(Event.production_id == production_id).order_by(Event.seq))
    if upto is not None:
        query = query.where(Event.seq <= upto)
    return [Entry(e.seq, e.kind, e.payload, name, _aware(e.at)) for e, name in db.execute(query)]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def append(db: Session, production: Production, author: User | None, changes: list[tuple[str, dict[str, Any]]],
           read_version: int | None) -> int:
    """Append `changes` as events after `read_version`; refuse when an event since touched the same key.

    The production row is locked for the transaction (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    BEGIN IMMEDIATE already serialises writers), so two writers cannot take the same sequence numbers."""
    current = db.execute(select(Production).where(Production.id == production.id).with_for_update()).scalar_one()
    if read_version is not None and read_version < current.version:
        keys = {journal.event_key(kind, payload) for kind, payload in changes}
        since = [e for e in entries(db, current.id) if e.seq > read_version]
        clashing = [e for e in since if "*" in keys or journal.event_key(e.kind, e.payload) in keys | {"*"}]
        if clashing:
            raise StaleError(clashing)
    seq = current.version
    moment = now()
    db.info["appended"] = True
    for kind, payload in changes:
        if kind not in journal.KINDS:
            raise ValueError(kind)
        seq += 1
        db.add(Event(production_id=current.id, seq=seq, author_id=author.id if author else None, at=moment, kind=kind,
                     payload=payload))
    db.execute(update(Production).where(Production.id == current.id).values(version=seq))
    current.version = seq
    return seq


def create_production(db: Session, owner: User, slug: str, title: str, company: str | None = None) -> Production:
    production = Production(slug=slug, title=title, version=0, feed_token=secrets.token_urlsafe(24), created=now())
    db.add(production)
    db.flush()
    db.add(Membership(user_id=owner.id, production_id=production.id, role="producer"))
    payload = {"id": slug, "title": title}
    if company:
        payload["company"] = company
    append(db, production, owner, [("production.created", payload)], None)
    return production


def role_of(db: Session, user: User | None, production: Production) -> str | None:
    if user is None:
        return None
    return db.scalar(select(Membership.role).where(Membership.user_id == user.id, Membership.production_id == production.id))


def productions_of(db: Session, user: User) -> list[tuple[Production, str]]:
    query = (select(Production, Membership.role).join(Membership, Membership.production_id == Production.id)
             .where(Membership.user_id == user.id).order_by(Production.title))
    return [(p, r) for p, r in db.execute(query).all()]


def state_at(db: Session, production: Production, upto: int | None = None) -> dict[str, Any]:
    """The state after change `upto` (default: the last), replayed from the nearest state kept in
    memory: only the events after it are read. A version never changes once written, so a kept
    state never goes stale. Treat the result as read-only (copy with journal.copy_state)."""
    version = production.version if upto is None else upto
    where = str(db.get_bind().url)  # one cache for every database this process serves (tests open many)
    key = (where, production.id, version)
    with _STATES_LOCK:
        if key in _STATES:
            _STATES.move_to_end(key)
            return _STATES[key]
        base = max((v for (url, pid, v) in _STATES if url == where and pid == production.id and v < version), default=None)
        state = journal.copy_state(_STATES[(where, production.id, base)]) if base is not None else journal.empty_state()
    query = (select(Event, User.name).outerjoin(User, User.id == Event.author_id)
             .where(Event.production_id == production.id, Event.seq > (base or 0), Event.seq <= version).order_by(Event.seq))
    for event, name in db.execute(query):
        journal.apply(state, event.kind, event.payload, name, _aware(event.at))
    if db.info.get("appended"):
        return state  # this transaction wrote events that may yet be rolled back: keep nothing of them
    with _STATES_LOCK:
        _STATES[key] = state
        while len(_STATES) > 512:
            _STATES.popitem(last=False)
    return state


_STATES: OrderedDict[tuple[str, int, int], dict[str, Any]] = OrderedDict()
_STATES_LOCK = threading.Lock()


def lock(db: Session, production: Production) -> None:
    """Hold the production's row for the rest of the transaction (writers of it queue behind)."""
    db.execute(select(Production.id).where(Production.id == production.id).with_for_update())


def record_blob(db: Session, sha256: str, size: int) -> None:
    from .models import Blob

    if db.get(Blob, sha256) is None:
        db.add(Blob(sha256=sha256, size=size))
