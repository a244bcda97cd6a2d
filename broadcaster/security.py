"""Log-in sessions kept on the server and the log-in throttle, both in the database so that every panel
process agrees.

A session is a random token in the browser's signed cookie; the database keeps its SHA-256, the user,
when it began and was last used, and when and why it ended (logout, idle past the venue's limit, a
password change, the account switched off). ``last_seen_at`` is written at most once a minute.

The throttle counts failed log-ins (form and API alike) per account and per address: a few failures
lock that account only (from every address), while a much higher count per address stops one desk
guessing many accounts. Failures and lock-outs go to the audit log (broadcaster.audit)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from broadcaster import audit
from broadcaster.clock import utcnow
from broadcaster.store.models.security import LoginFailure, LoginSession

IDLE_MIN_DEFAULT = 30.0
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- sessions --------------------------------------------------------------------------------------
def open_session(s: Session, user, address: str = "", now: datetime | None = None) -> str:
    """A new session for ``user`` (logged as a log-in); returns the token for the browser's cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    s.add(LoginSession(token_hash=_hash(token), user_id=user.id, created_at=now, last_seen_at=now,
                       address=audit.clean(address, 64)))
    audit.record(s, "login", user, address=address, at=now)
    return token


def session_alive(s: Session, token: str | None, user, now: datetime | None = None,
                  idle: timedelta = timedelta(minutes=IDLE_MIN_DEFAULT)) -> bool:
    """Whether ``token`` is ``user``'s live session; one idle too long is ended here (and logged)."""
    if not token:
        return False
    now = now or utcnow()
    row = s.scalar(select(LoginSession).where(LoginSession.token_hash == _hash(token)))
    if row is None or row.ended_at is not None or row.user_id != user.id:
        return False
    if now - row.last_seen_at > idle:
        row.ended_at, row.ended_why = now, "idle"
        audit.record(s, "session_expired", user, address=row.address, at=now)
        return False
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return True


def end_session(s: Session, token: str | None, user, address: str = "", now: datetime | None = None) -> None:
    """Logout: the session ends on the server (a copy of the cookie is worth nothing from now on)."""
    now = now or utcnow()
    if token:
        s.execute(update(LoginSession).where(LoginSession.token_hash == _hash(token),
                                             LoginSession.ended_at.is_(None))
                  .values(ended_at=now, ended_why="logout"))
    audit.record(s, "logout", user, address=address, at=now)


def end_sessions(s: Session, user, why: str, keep: str | None = None, now: datetime | None = None) -> int:
    """End every live session of ``user`` but the one of token ``keep``; how many ended."""
    q = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep:
        q = q.where(LoginSession.token_hash != _hash(keep))
    return s.execute(q.values(ended_at=now or utcnow(), ended_why=why)).rowcount or 0


# -- throttle --------------------------------------------------------------------------------------
def account_key(name: str) -> str:
    return audit.clean((name or "").strip().lower(), 80)


@dataclass(frozen=True)
class Throttle:
    """At most ``account_limit`` failures per account and ``address_limit`` per address in ``window``."""

    account_limit: int = 5
    address_limit: int = 50
    window: timedelta = timedelta(minutes=5)

    def _counts(self, s: Session, account: str, address: str, now: datetime) -> tuple[int, int]:
        recent = LoginFailure.at > now - self.window
        by_account = s.scalar(select(func.count()).where(recent, LoginFailure.account == account)) or 0
        by_address = s.scalar(select(func.count()).where(recent, LoginFailure.address == address)) or 0
        return by_account, by_address

    def blocked(self, s: Session, name: str, address: str, now: datetime | None = None) -> bool:
        acc, addr = self._counts(s, account_key(name), audit.clean(address, 64), now or utcnow())
        return acc >= self.account_limit or addr >= self.address_limit

    def fail(self, s: Session, name: str, address: str, now: datetime | None = None, via: str = "") -> None:
        """Count a failure (and log it; and the lock-out it causes, once)."""
        now, account, address = now or utcnow(), account_key(name), audit.clean(address, 64)
        s.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.window))
        s.add(LoginFailure(at=now, account=account, address=address))
        s.flush()
        audit.record(s, "login_failed", None, account=account, address=address, detail=via, at=now)
        acc, addr = self._counts(s, account, address, now)
        if acc == self.account_limit:
            audit.record(s, "locked_out", None, account=account, address=address, at=now)
        if addr == self.address_limit:
            audit.record(s, "address_locked_out", None, account=account, address=address, at=now)

    def succeeded(self, s: Session, name: str) -> None:
        """The right password: the account's earlier failures are forgiven (the address's are not)."""
        s.execute(delete(LoginFailure).where(LoginFailure.account == account_key(name)))
