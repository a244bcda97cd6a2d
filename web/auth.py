"""Log-in (Flask-Login, werkzeug password hashes), login throttling, role checks, API authentication.

The browser uses a session cookie and CSRF tokens. The JSON API uses either HTTP Basic with the same
users, or a bearer token from ``POST /api/token`` (signed with SECRET_KEY, bound to the password hash,
so changing the password revokes it). Both count failures against the same throttle as the log-in form.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import wraps
from types import SimpleNamespace
from typing import Callable
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, g, redirect, render_template, request, session,
                   url_for)
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash

from broadcaster.store.models.core import Role, User
from web.i18n import t

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.session_protection = "strong"

# Who may use which area of the panel (admin holds every role). The services check again.
DESK = (Role.DESK, Role.SUPERVISOR)
SUPERVISOR = (Role.SUPERVISOR,)
BROADCASTER = (Role.BROADCASTER, Role.SUPERVISOR)
SCHEDULE = (Role.BROADCASTER, Role.SUPERVISOR)
ANYONE = tuple(Role)
FAULT_ACK = (Role.SUPERVISOR, Role.DESK, Role.BROADCASTER)


@dataclass(frozen=True)
class WebUser(UserMixin):
    """A detached snapshot of the logged-in user (reloaded on every request)."""

    id: int
    name: str
    role: Role
    display_name: str
    pw_fingerprint: str

    def get_id(self) -> str:
        return str(self.id)

    def can(self, *roles: Role) -> bool:
        return self.role is Role.ADMIN or self.role in roles

    @classmethod
    def of(cls, u: User) -> "WebUser":
        return cls(u.id, u.name, u.role, u.display_name or u.name, fingerprint(u.password_hash))


def fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def _db():
    return current_app.extensions["pa"].db


def load_user_by(**where) -> User | None:
    with _db().session() as s:
        q = select(User)
        for k, v in where.items():
            q = q.where(getattr(User, k) == v)
        return s.scalar(q)


USER_CACHE_S = 2.0  # a deactivated user or changed password takes effect within this


def _user(uid: int) -> tuple[WebUser | None, str | None]:
    """(the active user or None, their password's fingerprint), re-read every USER_CACHE_S. The cache
    is per app: apps in one process never see each other's users."""
    now = time.monotonic()
    cache = current_app.extensions.setdefault("pa_user_cache", {})
    hit = cache.get(uid)
    if hit is not None and hit[2] > now:
        return hit[0], hit[1]
    u = load_user_by(id=uid)
    user = WebUser.of(u) if u is not None and u.active and u.password_hash else None
    fp = fingerprint(u.password_hash) if user is not None else None
    if len(cache) > 10_000:
        cache.clear()
    cache[uid] = (user, fp, now + USER_CACHE_S)
    return user, fp


@login_manager.user_loader
def _load(user_id: str) -> WebUser | None:
    if not str(user_id).isdigit():
        return None
    return _user(int(user_id))[0]


# -- throttling ------------------------------------------------------------------------------------
class Throttle:
    """At most ``limit`` failures per key (user name, client address) in ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._fails: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque:
        q = self._fails[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = self.clock()
        with self._lock:
            return any(len(self._trim(k, now)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for k in keys:
                self._trim(k, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


class SharedThrottle(Throttle):
    """The same limits, counted across the panel's worker processes: failures are kept in a JSON file
    under an exclusive lock (so a guesser gains nothing from landing on another worker)."""

    def __init__(self, path: str, limit: int = 5, window: float = 300.0,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(limit, window, clock)
        self.path = path

    def _update(self, change: Callable[[dict], bool]) -> dict:
        import fcntl
        import json

        with self._lock, open(self.path, "a+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            try:
                fails = json.loads(f.read() or "{}")
            except ValueError:
                fails = {}
            now = self.clock()
            fails = {k: kept for k, v in fails.items() if (kept := [t for t in v if t > now - self.window])}
            if change(fails):
                f.seek(0)
                f.truncate()
                f.write(json.dumps(fails))
            return fails

    def blocked(self, *keys: str) -> bool:
        fails = self._update(lambda fails: False)
        return any(len(fails.get(k, ())) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        now = self.clock()

        def add(fails: dict) -> bool:
            for k in keys:
                fails.setdefault(k, []).append(now)
            return True

        self._update(add)

    def reset(self, key: str) -> None:
        self._update(lambda fails: fails.pop(key, None) is not None)


def _keys(name: str) -> tuple[str, str]:
    return f"user:{(name or '').strip().lower()}", f"ip:{request.remote_addr}"


def _authenticate(name: str, password: str) -> User | None:
    try:
        from broadcaster.users import authenticate
    except ModuleNotFoundError:  # pragma: no cover - the users module is the workflow area's
        u = load_user_by(name=(name or "").strip())
        ok = u is not None and u.active and u.password_hash and check_password_hash(u.password_hash, password or "")
        return u if ok else None
    with _db().session() as s:
        return authenticate(s, name, password)


def verify_password(name: str, password: str) -> User | None:
    """The active user with this name and password, or None. Throttled (429) after repeated failures."""
    throttle: Throttle = current_app.extensions["pa_throttle"]
    keys = _keys(name)
    if throttle.blocked(*keys):
        abort(429, t("Too many failed logins: wait a few minutes."))
    u = _authenticate(name, password)
    if u is None:
        throttle.fail(*keys)
        return None
    throttle.reset(keys[0])
    return u


# -- role checks -----------------------------------------------------------------------------------
def require(*roles: Role):
    """View decorator: logged in (else the log-in page) and holding one of ``roles`` (else 403)."""

    def deco(view):
        @wraps(view)
        @login_required
        def wrapped(*a, **kw):
            if not current_user.can(*roles):
                abort(403)
            return view(*a, **kw)

        wrapped.roles = roles
        return wrapped

    return deco


def actor() -> str:
    """The acting user's name, handed to the services (which load the user and check the role again)."""
    user = getattr(g, "api_user", None) or current_user
    return user.name


# -- API authentication ----------------------------------------------------------------------------
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pa-api-token")


def issue_token(u: User | WebUser) -> str:
    fp = u.pw_fingerprint if isinstance(u, WebUser) else fingerprint(u.password_hash)
    return _serializer().dumps({"uid": u.id, "fp": fp})


_basic_cache: dict[str, tuple[int, float]] = {}
_basic_lock = threading.Lock()


def _basic_user(name: str, password: str) -> WebUser | None:
    """HTTP Basic. A verified (user, password) is remembered for a minute as an HMAC, so a kiosk
    polling the API does not pay the password hash on every call."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), f"{name}\0{password}".encode(), "sha256").hexdigest()
    now = time.monotonic()
    with _basic_lock:
        hit = _basic_cache.get(key)
    if hit and hit[1] > now:
        u = load_user_by(id=hit[0])
        if u is not None and u.active:
            return WebUser.of(u)
    u = verify_password(name, password)
    if u is None:
        return None
    with _basic_lock:
        if len(_basic_cache) > 1000:
            _basic_cache.clear()
        _basic_cache[key] = (u.id, now + 60)
    return WebUser.of(u)


def api_user() -> WebUser | None:
    """The user behind this API request (bearer token or HTTP Basic), or None."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        try:
            data = _serializer().loads(header[7:].strip(), max_age=current_app.config["API_TOKEN_MAX_AGE"])
        except (BadSignature, SignatureExpired):
            return None
        user, fp = _user(int(data.get("uid", 0)))
        return user if user is not None and fp == data.get("fp") else None
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        return _basic_user(auth.username or "", auth.password or "")
    return None


def require_api(*roles: Role):
    """API decorator: 401 without valid credentials, 403 without the role."""

    def deco(view):
        @wraps(view)
        def wrapped(*a, **kw):
            user = api_user()
            if user is None:
                abort(401)
            if not user.can(*roles):
                abort(403)
            g.api_user = user
            return view(*a, **kw)

        wrapped.roles = roles
        return wrapped

    return deco


# -- views -----------------------------------------------------------------------------------------
def _safe_next(target: str | None) -> str:
    if not target:
        return url_for("dashboard.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("dashboard.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    status = 200
    if request.method == "POST":
        name = request.form.get("username", "")
        u = verify_password(name, request.form.get("password", ""))
        if u is not None:
            lang = session.get("lang")
            session.clear()  # no session fixation: a fresh session for the logged-in user
            if lang:
                session["lang"] = lang
            login_user(WebUser.of(u))
            return redirect(_safe_next(request.args.get("next")))
        error, status = t("Bad user name or password."), 401
    return render_template("login.html", error=error), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_message = None
    limits = (app.config["LOGIN_FAIL_LIMIT"], app.config["LOGIN_FAIL_WINDOW"])
    app.extensions["pa_throttle"] = (SharedThrottle(app.config["THROTTLE_FILE"], *limits)
                                     if app.config.get("THROTTLE_FILE") else Throttle(*limits))
    app.register_blueprint(bp)
    app.jinja_env.globals["roles"] = SimpleNamespace(DESK=DESK, SUPERVISOR=SUPERVISOR, BROADCASTER=BROADCASTER,
                                                     SCHEDULE=SCHEDULE, FAULT_ACK=FAULT_ACK)
