"""Passwords (argon2), server-side sessions in signed cookies, CSRF tokens, login rate limiting."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import LoginFailure, LoginSession, User

COOKIE = "raccord_session"
MAX_FAILURES = 5                      # failed logins per account or address...
FAILURE_WINDOW = dt.timedelta(minutes=15)  # ...within this window, then 429 until it passes

_hasher = PasswordHasher()
# A hash to verify against when the account does not exist, so that timing does not tell.
_DUMMY = _hasher.hash("raccord-no-such-account")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


class Cookies:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeSerializer(secret, salt="raccord.session")

    def dump(self, token: str) -> str:
        return self._serializer.dumps(token)

    def load(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            token = self._serializer.loads(value)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None


def open_session(db: Session, user: User) -> LoginSession:
    """A fresh session with a fresh token and CSRF token: whatever the browser held before is not reused."""
    record = LoginSession(token=secrets.token_urlsafe(32), user_id=user.id, csrf=secrets.token_urlsafe(32), created=now())
    db.add(record)
    return record


def close_session(db: Session, token: str) -> None:
    db.execute(delete(LoginSession).where(LoginSession.token == token))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    return bool(expected and given) and hmac.compare_digest(expected, given)


def throttled(db: Session, keys: list[str]) -> bool:
    since = now() - FAILURE_WINDOW
    for key in keys:
        count = db.scalar(select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key, LoginFailure.at >= since))
        if count >= MAX_FAILURES:
            return True
    return False


def record_failure(db: Session, keys: list[str]) -> None:
    for key in keys:
        db.add(LoginFailure(key=key, at=now()))


def clear_failures(db: Session, keys: list[str]) -> None:
    db.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))
