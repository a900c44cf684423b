"""Reads and writes of the journal: every change goes through `append`, in one transaction that
checks the version the form was read from (a stale write is refused, `StaleError`, with what changed)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
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


@dataclass
class ProductionRecord:
    """A production's row as a page reads it (a Core row, not an ORM instance: a page's request reads
    it once and needs no unit of work); `version` follows the request's own appends."""

    id: int
    slug: str
    title: str
    version: int
    feed_token: str
    created: dt.datetime


# The statements of every request, built once: SQLAlchemy then only binds the parameters (building
# an ORM select and loading ORM instances cost ~0.7 ms a query, the Core statement ~0.08 ms).
_P, _M, _E, _U = Production.__table__, Membership.__table__, Event.__table__, User.__table__
PRODUCTION_AND_ROLE = (select(_P.c.id, _P.c.slug, _P.c.title, _P.c.version, _P.c.feed_token, _P.c.created, _M.c.role)
                       .select_from(_P.outerjoin(_M, (_M.c.production_id == _P.c.id) & (_M.c.user_id == bindparam("user"))))
                       .where(_P.c.slug == bindparam("slug")))
_EVENTS = (select(_E.c.seq, _E.c.kind, _E.c.payload, _U.c.name, _E.c.at).select_from(_E.outerjoin(_U, _U.c.id == _E.c.author_id))
           .where(_E.c.production_id == bindparam("pid"), _E.c.seq > bindparam("after"), _E.c.seq <= bindparam("upto"))
           .order_by(_E.c.seq))
_VERSION_FOR_UPDATE = select(_P.c.version).where(_P.c.id == bindparam("pid")).with_for_update()
_SET_VERSION = update(_P).where(_P.c.id == bindparam("pid")).values(version=bindparam("new_version"))
_INSERT_EVENT = insert(_E)
NO_LIMIT = 2**31 - 1  # the largest seq (an INTEGER column)


def production_and_role(db: Session, slug: str, user_id: int) -> tuple[ProductionRecord, str | None] | None:
    """The production named `slug` and the role of user `user_id` on it (None: not a member), in one query."""
    row = db.connection().execute(PRODUCTION_AND_ROLE, {"slug": slug, "user": user_id}).first()
    return None if row is None else (ProductionRecord(*row[:6]), row[6])


def _events(db: Session, production_id: int, after: int, upto: int | None):
    return db.connection().execute(_EVENTS, {"pid": production_id, "after": after, "upto": NO_LIMIT if upto is None else upto})


class StaleError(Exception):
    """The form was read at an older version and someone changed the same things since."""

    def __init__(self, changes: list[Entry]) -> None:
        super().__init__("stale write")
        self.changes = changes


def entries(db: Session, production_id: int, upto: int | None = None, after: int = 0) -> list[Entry]:
    rows = _events(db, production_id, after, upto)
    return [Entry(seq, kind, payload, name, _aware(at)) for seq, kind, payload, name, at in rows]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite drops the zone


def append(db: Session, production, author, changes: list[tuple[str, dict[str, Any]]], read_version: int | None) -> int:
    """Append `changes` as events after `read_version`; refuse when an event since touched the same key.
    `production`: a ProductionRecord or the ORM instance (its `version` is set to the new one);
    `author`: anything with the user's `id` and `name`.

    The production row is locked for the transaction (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    BEGIN IMMEDIATE already serialises writers), so two writers cannot take the same sequence numbers.
    Core statements (no ORM flush): the journal write of every edit."""
    for kind, _ in changes:
        if kind not in journal.KINDS:
            raise ValueError(kind)
    connection = db.connection()
    version = connection.execute(_VERSION_FOR_UPDATE, {"pid": production.id}).scalar_one()
    if read_version is not None and read_version < version:
        keys = {journal.event_key(kind, payload) for kind, payload in changes}
        since = entries(db, production.id, after=read_version)
        clashing = [e for e in since if "*" in keys or journal.event_key(e.kind, e.payload) in keys | {"*"}]
        if clashing:
            raise StaleError(clashing)
    moment = now()
    db.info["appended"] = True
    rows = [{"production_id": production.id, "seq": version + i, "author_id": author.id if author else None, "at": moment,
             "kind": kind, "payload": payload} for i, (kind, payload) in enumerate(changes, 1)]
    connection.execute(_INSERT_EVENT, rows)
    seq = version + len(changes)
    connection.execute(_SET_VERSION, {"pid": production.id, "new_version": seq})
    # What the request's page needs to show the new version without reading it back (state_after).
    db.info["written"] = (production.id, version, seq, [Entry(r["seq"], r["kind"], r["payload"], author.name if author else None,
                                                              moment) for r in rows])
    production.version = seq
    return seq


def state_after(db: Session, production, before: dict[str, Any], before_version: int) -> dict[str, Any]:
    """Once the transaction that appended is committed: the state after its events, from `before`
    (the state at `before_version`) and the events written, without reading the journal again (read
    back when another writer came between), and kept for state_at (a committed version never changes)."""
    pid, base, seq, written = db.info["written"]
    # facts only (their effect owes nothing to the event's time, which a database may give back in
    # another zone), and no other writer between
    if pid != production.id or base != before_version or not all(e.kind.startswith("fact.") for e in written):
        return state_at(db, production, seq)
    state = journal.copy_state(before)
    for e in written:  # the payload as the journal gives it back (JSON), as a replay would apply it
        journal.apply(state, e.kind, json.loads(json.dumps(e.payload)), e.author, e.at)
    remember(str(db.get_bind().url), pid, seq, state)
    return state


def remember(url: str, production_id: int, version: int, state: dict[str, Any]) -> None:
    """Keep a committed version's state (state_at's cache), so the next request starts from it."""
    with _STATES_LOCK:
        _STATES[(url, production_id, version)] = state
        while len(_STATES) > 512:
            _STATES.popitem(last=False)


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
    for _, kind, payload, name, at in _events(db, production.id, base or 0, version):
        journal.apply(state, kind, payload, name, _aware(at))
    if db.info.get("appended"):
        return state  # this transaction wrote events that may yet be rolled back: keep nothing of them
    remember(where, production.id, version, state)
    return state


_STATES: OrderedDict[tuple[str, int, int], dict[str, Any]] = OrderedDict()
_STATES_LOCK = threading.Lock()


def lock(db: Session, production) -> None:
    """Hold the production's row for the rest of the transaction (writers of it queue behind)."""
    db.connection().execute(_VERSION_FOR_UPDATE, {"pid": production.id})


def record_blob(db: Session, sha256: str, size: int) -> None:
    from .models import Blob

    if db.get(Blob, sha256) is None:
        db.add(Blob(sha256=sha256, size=size))
