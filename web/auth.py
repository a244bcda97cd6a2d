"""Log-in (Flask-Login, werkzeug password hashes), login throttling, role checks, API authentication.

The browser uses a session cookie and CSRF tokens; the cookie names a session kept in the database
(broadcaster.security): logout, the venue's idle limit or a password change end it on the server. The
JSON API uses either HTTP Basic with the same users, or a bearer token from ``POST /api/token`` (signed
with SECRET_KEY, bound to the password hash, so changing the password revokes it). Both count failures
against the same throttle as the log-in form (per account and per address, in the database).
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, g, has_request_context, redirect, render_template, request,
                   session, url_for)
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from broadcaster import security
from broadcaster.security import Throttle
from broadcaster.users import authenticate
from broadcaster.store.models.core import Role, User
from web.i18n import N_, t

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


def _pa():
    return current_app.extensions["pa"]


def load_user_by(**where) -> User | None:
    with _pa().db.session() as s:
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


def idle_limit() -> timedelta:
    """How long a log-in may go unused (the venue's setting, in minutes)."""
    minutes = getattr(_pa().settings, "session_idle_min", None) or security.IDLE_MIN_DEFAULT
    return timedelta(minutes=float(minutes))


@login_manager.user_loader
def _load(user_id: str) -> WebUser | None:
    """The user of this browser's cookie, if its session is still open on the server."""
    if not str(user_id).isdigit():
        return None
    user = _user(int(user_id))[0]
    if user is None:
        return None
    pa = _pa()
    with pa.db.session() as s:
        alive = security.session_alive(s, session.get("sid"), user, pa.clock.now(), idle_limit())
    return user if alive else None


# -- throttling ------------------------------------------------------------------------------------
def _address() -> str:
    return request.remote_addr or ""


def _authenticate(name: str, password: str) -> User | None:
    with _pa().db.session() as s:
        return authenticate(s, name, password)


def verify_password(name: str, password: str, via: str = "") -> User | None:
    """The active user with this name and password, or None. Throttled (429) after repeated failures
    of this account, or of many accounts from this address (broadcaster.security.Throttle)."""
    throttle: Throttle = current_app.extensions["pa_throttle"]
    pa = _pa()
    with pa.db.session() as s:
        if throttle.blocked(s, name, _address(), pa.clock.now()):
            abort(429, t("Too many failed logins: wait a few minutes."))
    u = _authenticate(name, password)
    with pa.db.session() as s:
        if u is None:
            throttle.fail(s, name, _address(), pa.clock.now(), via=via)
        else:
            throttle.succeeded(s, name)
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


_basic_lock = threading.Lock()


def _basic_user(name: str, password: str) -> WebUser | None:
    """HTTP Basic. A verified (user, password) is remembered by this app as an HMAC while it is in use,
    and forgotten after the venue's idle limit without a call, as a session is (a changed password or
    a disabled user ends it at once). So a desk's page does not pay the password hash (about 100 ms of
    CPU) because its last call was over a minute ago, as it did when the memory lasted a minute."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), f"{name}\0{password}".encode(), "sha256").hexdigest()
    now = time.monotonic()
    keep = idle_limit().total_seconds()
    cache: dict[str, tuple[int, str, float]] = current_app.extensions.setdefault("pa_basic_cache", {})
    with _basic_lock:
        hit = cache.get(key)
    if hit and hit[2] > now:
        user, fp = _user(hit[0])
        if user is not None and fp == hit[1]:
            with _basic_lock:
                cache[key] = (hit[0], hit[1], now + keep)
            return user
    u = verify_password(name, password, via=N_("API"))
    if u is None:
        return None
    with _basic_lock:
        if len(cache) > 1000:
            cache.clear()
        cache[key] = (u.id, fingerprint(u.password_hash), now + keep)
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


def install_password_unchanged(user) -> bool:
    """An admin still using the password printed at install (the first-run setup's first step)."""
    return user.role is Role.ADMIN and "password" in (getattr(_pa().settings, "setup_pending", None) or [])


def install_password_refusal():
    from web import problem

    return problem(403, "change the password printed at install first (in the panel)")


def require_api(*roles: Role):
    """API decorator: 401 without valid credentials, 403 without the role."""

    def deco(view):
        @wraps(view)
        def wrapped(*a, **kw):
            user = api_user()
            if user is None:
                abort(401)
            if install_password_unchanged(user):
                return install_password_refusal()
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
            with _pa().db.session() as s:
                session["sid"] = security.open_session(s, u, _address(), _pa().clock.now())
            login_user(WebUser.of(u))
            return redirect(_safe_next(request.args.get("next")))
        error, status = t("Bad user name or password."), 401
    return render_template("login.html", error=error), status


@bp.post("/logout")
@login_required
def logout():
    with _pa().db.session() as s:
        security.end_session(s, session.get("sid"), current_user, _address(), _pa().clock.now())
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


class _Cookies(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the panel is reached over TLS (or SESSION_COOKIE_SECURE)."""

    def get_cookie_secure(self, app) -> bool:
        return bool(super().get_cookie_secure(app) or (has_request_context() and request.is_secure))


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.login_message = None
    app.extensions["pa_throttle"] = Throttle(int(app.config["LOGIN_FAIL_LIMIT"]),
                                             int(app.config["LOGIN_FAIL_ADDRESS_LIMIT"]),
                                             timedelta(seconds=float(app.config["LOGIN_FAIL_WINDOW"])))
    app.session_interface = _Cookies()
    app.register_blueprint(bp)
    app.jinja_env.globals["roles"] = SimpleNamespace(DESK=DESK, SUPERVISOR=SUPERVISOR, BROADCASTER=BROADCASTER,
                                                     SCHEDULE=SCHEDULE, FAULT_ACK=FAULT_ACK)
