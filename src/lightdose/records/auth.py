"""Accounts: argon2id password hashes, login with a per-account lockout and a per-address rate limit, browser
login sessions (random cookie token, only its SHA-256 stored; logout revokes it) and per-user API tokens (shown
once, stored as their SHA-256, revocable). :class:`Actor` is who a request acts as; :func:`require` checks roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from lightdose.records.audit import record
from lightdose.records.errors import Forbidden, TooManyAttempts, Unauthenticated
from lightdose.records.models import ApiToken, LoginSession, User, utcnow

HASHER = PasswordHasher()
"""argon2id with argon2-cffi's default cost (RFC 9106's second recommended setting: 3 passes, 64 MiB, 4 lanes)."""
MAX_FAILED_LOGINS = 5
"""Failed logins in a row that lock an account."""
LOCKOUT = dt.timedelta(minutes=15)
"""How long a locked account stays locked."""
SESSION_LIFETIME = dt.timedelta(hours=12)
"""How long a browser login lasts (a working day)."""
ATTEMPTS_PER_WINDOW = 10
"""Login attempts one address may make per :data:`ATTEMPT_WINDOW_S`."""
ATTEMPT_WINDOW_S = 60.0
TOKEN_PREFIX = "ld_"
TOKEN_USE_RESOLUTION = dt.timedelta(hours=1)
"""How precisely a token's last use is kept (an admin's question: is this token still in use?)."""
MIN_PASSWORD = 10
"""Shortest password [characters]."""
_DUMMY_HASH = HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class Actor:
    """Who a request acts as."""

    user_id: int
    clinic_id: int
    role: str
    username: str
    csrf_token: str | None = None
    """The login session's CSRF token (browser logins); None for an API token."""


def require(actor: Actor | None, *roles: str) -> Actor:
    """`actor` when it has one of `roles`; 401 when nobody is logged in, 403 for another role."""
    if actor is None:
        raise Unauthenticated("log in first (or send an API token: Authorization: Bearer ld_…)")
    if actor.role not in roles:
        raise Forbidden(f"a {actor.role} may not do this (it needs the role {' or '.join(roles)})")
    return actor


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        from lightdose.errors import InputError

        raise InputError("password", f"is shorter than {MIN_PASSWORD} characters")
    return HASHER.hash(password)


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AttemptLimiter:
    """At most :data:`ATTEMPTS_PER_WINDOW` login attempts per address per :data:`ATTEMPT_WINDOW_S` (in memory,
    per server process)."""

    def __init__(self, attempts: int = ATTEMPTS_PER_WINDOW, window_s: float = ATTEMPT_WINDOW_S):
        self.attempts = attempts
        self.window_s = window_s
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(address, deque())
            while seen and seen[0] < now - self.window_s:
                seen.popleft()
            if len(seen) >= self.attempts:
                wait = int(seen[0] + self.window_s - now) + 1
                raise TooManyAttempts(f"too many login attempts from this address; try again in {wait} s", wait)
            seen.append(now)
            if len(self._seen) > 10_000:  # forget idle addresses
                for key in [k for k, v in self._seen.items() if not v or v[-1] < now - self.window_s]:
                    del self._seen[key]


def authenticate(db: Session, username: str, password: str) -> User:
    """The user with this username and password; a wrong one counts towards the lockout. The message never says
    which of the two was wrong."""
    user = db.scalars(select(User).where(User.username == username)).one_or_none()
    now = utcnow()
    if user is None:
        try:
            HASHER.verify(_DUMMY_HASH, password)  # the same time as a real check
        except VerificationError:
            pass
        record(db, None, None, "login-failed", "user", None, after={"reason": "unknown user"})
        raise Unauthenticated("wrong username or password")
    locked = user.locked_until
    if locked is not None and _aware(locked) > now:
        record(db, user.clinic_id, user.id, "login-failed", "user", user.id, after={"reason": "locked"})
        minutes = int((_aware(locked) - now).total_seconds() // 60) + 1
        raise TooManyAttempts(f"this account is locked after {MAX_FAILED_LOGINS} failed logins; try again in "
                              f"{minutes} min", minutes * 60)
    try:
        HASHER.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        record(db, user.clinic_id, user.id, "login-failed", "user", user.id, after={"reason": "wrong password"})
        raise Unauthenticated("wrong username or password") from None
    if not user.active:
        raise Unauthenticated("this account is disabled")
    user.failed_logins = 0
    user.locked_until = None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def start_login_session(db: Session, user: User) -> tuple[str, str]:
    """A new browser login for `user`: (cookie token, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.add(LoginSession(token_sha256=_sha256(token), csrf_token=csrf, user_id=user.id,
                        expires_at=utcnow() + SESSION_LIFETIME))
    record(db, user.clinic_id, user.id, "login", "user", user.id)
    return token, csrf


def actor_of_session(db: Session, token: str) -> Actor | None:
    """Who the browser with this cookie token is, or None (unknown, expired, revoked, user disabled)."""
    row = db.execute(select(LoginSession, User).join(User, User.id == LoginSession.user_id)
                     .where(LoginSession.token_sha256 == _sha256(token))).one_or_none()
    if row is None:
        return None
    login, user = row
    if login.revoked_at is not None or _aware(login.expires_at) <= utcnow() or not user.active:
        return None
    return Actor(user.id, user.clinic_id, user.role, user.username, login.csrf_token)


def end_login_session(db: Session, token: str) -> None:
    """Logout: the cookie's session is revoked (the same cookie no longer works)."""
    login = db.scalars(select(LoginSession).where(LoginSession.token_sha256 == _sha256(token))).one_or_none()
    if login is not None and login.revoked_at is None:
        login.revoked_at = utcnow()
        user = db.get(User, login.user_id)
        record(db, user.clinic_id if user else None, login.user_id, "logout", "user", login.user_id)


def create_token(db: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for `user`: the row and the token itself (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_sha256=_sha256(token))
    db.add(row)
    db.flush()
    record(db, user.clinic_id, user.id, "token-create", "api_token", row.id, after={"name": name})
    return row, token


def actor_of_token(db: Session, token: str) -> Actor | None:
    """Who this API token belongs to, or None (unknown, revoked, user disabled)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = db.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                     .where(ApiToken.token_sha256 == _sha256(token))).one_or_none()
    if row is None:
        return None
    api_token, user = row
    if api_token.revoked_at is not None or not user.active:
        return None
    now = utcnow()
    if api_token.last_used_at is None or _aware(api_token.last_used_at) < now - TOKEN_USE_RESOLUTION:
        api_token.last_used_at = now  # to the hour: not a write per request
    return Actor(user.id, user.clinic_id, user.role, user.username)


def revoke_token(db: Session, actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's own tokens (an admin: any token of the clinic's users)."""
    from lightdose.records.errors import NotFound

    row = db.get(ApiToken, token_id)
    owner = db.get(User, row.user_id) if row is not None else None
    if (row is None or owner is None or owner.clinic_id != actor.clinic_id
            or (row.user_id != actor.user_id and actor.role != "admin")):
        raise NotFound(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(db, actor.clinic_id, actor.user_id, "token-revoke", "api_token", row.id)


def check_csrf(actor: Actor, sent: str | None) -> None:
    """A browser's form must send its login session's CSRF token."""
    if actor.csrf_token is not None and (sent is None or not secrets.compare_digest(sent, actor.csrf_token)):
        raise Forbidden("the form's security token is missing or stale; reload the page and try again")


__all__ = ["Actor", "AttemptLimiter", "actor_of_session", "actor_of_token", "authenticate", "check_csrf",
           "create_token", "end_login_session", "hash_password", "require", "revoke_token", "start_login_session"]
