"""Staff accounts and sessions: argon2 password hashes, lock-out, session cookies, CSRF."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update

from bot.store.database import Database
from bot.store.models import StaffSession, StaffUser, utcnow

ROLES = ("reviewer", "admin")
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 8        # a session never outlives a working day
IDLE_MINUTES = 30        # ... and ends after half an hour without a request
MIN_PASSWORD = 12
# ASCII only: no look-alike letters from other scripts ("аdmin" with a Cyrillic а).
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane). argon2-cffi's default takes 64 MiB
# per hash: two hashing threads under a login flood grew the web process by 130 MiB. Older
# hashes still verify, and are rehashed with these parameters at the next login.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginResult:
    staff: Staff | None
    locked: bool = False


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value


def _deadline(created: dt.datetime, last_seen: dt.datetime) -> dt.datetime:
    return min(created + dt.timedelta(hours=SESSION_HOURS),
               last_seen + dt.timedelta(minutes=IDLE_MINUTES))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    def __init__(self, database: Database, max_failures: int = MAX_FAILURES) -> None:
        self._db = database
        self.max_failures = max_failures

    def create(self, username: str, password: str, role: str) -> Staff:
        username = username.strip().lower()
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if not USERNAME.fullmatch(username):
            raise AccountError("username: 2–64 of a–z, 0–9, . - _ (ASCII only)")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"password must have at least {MIN_PASSWORD} characters")
        with self._db.session() as session:
            if session.execute(select(StaffUser).where(StaffUser.username == username)).first():
                raise AccountError(f"user {username!r} exists")
            user = StaffUser(username=username, password_hash=_hasher.hash(password), role=role,
                             failed_logins=0, active=1)
            session.add(user)
            session.flush()
            return Staff(user.id, user.username, user.role)

    def deactivate(self, username: str) -> None:
        with self._db.session() as session:
            user = session.execute(select(StaffUser).where(
                StaffUser.username == username)).scalar_one_or_none()
            if user is None:
                raise AccountError(f"no user {username!r}")
            user.active = 0
            session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))

    def users(self) -> list[tuple[str, str, bool, bool]]:
        """(username, role, active, locked) for the admin page."""
        now = utcnow()
        with self._db.session() as session:
            return [(u.username, u.role, bool(u.active),
                     bool(u.locked_until and _aware(u.locked_until) > now))
                    for u in session.execute(select(StaffUser).order_by(StaffUser.username))
                    .scalars()]

    def login(self, username: str, password: str) -> LoginResult:
        """Counts the attempt before the (slow) hash check, in one UPDATE, so that parallel
        guesses cannot all be checked before the lock-out applies."""
        name = username.strip().lower()
        now = utcnow()
        with self._db.session() as session:
            session.execute(update(StaffUser).where(StaffUser.username == name,
                                                    StaffUser.active == 1)
                            .values(failed_logins=StaffUser.failed_logins + 1))
            user = session.execute(select(StaffUser).where(
                StaffUser.username == name)).scalar_one_or_none()
            if user is None or not user.active:
                unknown = True
            else:
                unknown = False
                if user.locked_until and _aware(user.locked_until) > now:
                    return LoginResult(None, locked=True)
                if user.failed_logins > self.max_failures:
                    user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                    user.failed_logins = 0
                    return LoginResult(None, locked=True)
                password_hash, user_id = user.password_hash, user.id
        if unknown:
            _hasher.hash(password)  # same work either way: no user enumeration by timing
            return LoginResult(None)
        try:
            _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return LoginResult(None)   # the attempt is already counted
        with self._db.session() as session:
            user = session.get(StaffUser, user_id)
            assert user is not None
            user.failed_logins, user.locked_until = 0, None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            return LoginResult(Staff(user.id, user.username, user.role))

    def open_session(self, staff: Staff) -> tuple[str, str]:
        """(cookie value, CSRF token). Only a hash of the cookie value is stored."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        created = utcnow()
        with self._db.session() as session:
            session.add(StaffSession(id=_digest(token), user_id=staff.id, csrf_token=csrf,
                                     created_at=created, expires_at=_deadline(created, created)))
        return token, csrf

    def session(self, token: str | None) -> tuple[Staff, str] | None:
        if not token:
            return None
        with self._db.session() as session:
            row = session.get(StaffSession, _digest(token))
            now = utcnow()
            if row is None or _aware(row.expires_at) <= now:
                return None
            user = session.get(StaffUser, row.user_id)
            if user is None or not user.active:
                return None
            # expires_at slides with activity (written at most once a minute).
            deadline = _deadline(_aware(row.created_at), now)
            if deadline - _aware(row.expires_at) > dt.timedelta(minutes=1):
                row.expires_at = deadline
            return Staff(user.id, user.username, user.role), row.csrf_token

    def close_session(self, token: str | None) -> None:
        if token:
            with self._db.session() as session:
                session.execute(delete(StaffSession).where(StaffSession.id == _digest(token)))
