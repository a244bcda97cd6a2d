"""Users and roles: create, find, authenticate, and the role check every service uses."""
from __future__ import annotations

import functools
import re
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from broadcaster import audit, security
from broadcaster.errors import FieldErrors, NotFound, PermissionDenied, ValidationError
from broadcaster.store.models.core import Role, User

LAST_ADMIN = "this is the last admin: make another user an admin first"
#: Passwords are hashed one at a time. Each scrypt (werkzeug's n=2**15, r=8) costs about 100 ms of CPU
#: and 32 MB of memory: five desks logging in at the same moment took the service 160 MB over its
#: budget for a moment (bench/onair.py row 7), and a flood of log-ins would take far more.
_HASHING = threading.Lock()
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{2,80}$")


def parse_role(value: str | Role) -> Role:
    try:
        return value if isinstance(value, Role) else Role(str(value).strip().lower())
    except ValueError:
        raise ValidationError(f"role: {value!r} is not one of {', '.join(r.value for r in Role)}") from None


def add_user(s: Session, name: str, role: str | Role, password: str | None = None, *,
             display_name: str = "", by: User | None = None) -> User:
    """A new user; the password (optional: CLI-only users have none) is stored only as a hash."""
    name = (name or "").strip()
    if not _NAME.match(name):
        raise ValidationError("name: 2-80 letters, digits, '.', '_' or '-'")
    role = parse_role(role)
    if password is not None and len(password) < 8:
        raise ValidationError("password: at least 8 characters")
    if s.scalar(select(User).where(User.name == name)) is not None:
        raise ValidationError(f"name: user {name!r} already exists")
    user = User(name=name, role=role, display_name=display_name or name,
                password_hash=hash_password(password) if password else None)
    s.add(user)
    s.flush()
    audit.record(s, "user_added", by, account=user, detail=role.value)
    return user


def get_user(s: Session, who: str | int | User) -> User:
    if isinstance(who, (User, int)):
        user = s.get(User, who.id if isinstance(who, User) else who)
    else:
        name = (who or "").strip()
        if not name:
            raise ValidationError("user: who is acting? give a user name")
        user = s.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no such user: {who if not isinstance(who, User) else who.name}")
    return user


def require(user: User, *roles: Role, action: str = "do this") -> User:
    """PermissionDenied unless the user is active and holds one of ``roles`` (admin holds all)."""
    if not user.active:
        raise PermissionDenied(f"user {user.name} is not active")
    if roles and not user.can(*roles):
        raise PermissionDenied(f"{user.name} ({user.role.value}) may not {action}: needs "
                               + " or ".join(r.value for r in roles))
    return user


def acting(s: Session, who: str | int | User, *roles: Role, action: str = "do this") -> User:
    return require(get_user(s, who), *roles, action=action)


def hash_password(password: str) -> str:
    with _HASHING:
        return generate_password_hash(password)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown names against (the same cost as a known one)."""
    return hash_password("x")


def password_matches(password_hash: str, password: str) -> bool:
    with _HASHING:
        return check_password_hash(password_hash, password or "")


def authenticate(s: Session, name: str, password: str) -> User | None:
    """The user if the password matches and the account is active; None otherwise."""
    user = s.scalar(select(User).where(User.name == (name or "").strip()))
    if user is None or not user.active or not user.password_hash:
        password_matches(_dummy_hash(), password)  # same cost either way
        return None
    return user if password_matches(user.password_hash, password) else None


def list_users(s: Session) -> list[User]:
    return list(s.scalars(select(User).order_by(User.name)))


def change_own_password(s: Session, who: str | User, current: str, new: str, repeat: str,
                        keep_session: str | None = None) -> User:
    """A user changes their own password: the current one must match; every problem at once. Their
    other log-ins end (the one of token ``keep_session`` stays)."""
    user = get_user(s, who)
    errors: dict[str, str] = {}
    if not user.password_hash or not password_matches(user.password_hash, current):
        errors["current"] = "this is not your current password"
    if len(new or "") < 8:
        errors["new"] = "at least 8 characters"
    elif user.password_hash and password_matches(user.password_hash, new):
        errors["new"] = "choose a password different from the current one"
    if (new or "") != (repeat or ""):
        errors["repeat"] = "the two new passwords differ"
    if errors:
        raise FieldErrors(errors)
    user.password_hash = hash_password(new)
    security.end_sessions(s, user, "password", keep=keep_session)
    audit.record(s, "password_changed", user)
    return user


def add_user_checked(s: Session, admin: str | User, name: str, role: str, password: str,
                     display_name: str = "") -> User:
    """An admin adds a user who can log in (every problem at once)."""
    me = acting(s, admin, Role.ADMIN, action="add users")
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not _NAME.match(name):
        errors["name"] = "2-80 letters, digits, '.', '_' or '-'"
    elif s.scalar(select(User).where(User.name == name)) is not None:
        errors["name"] = "this user name is taken"
    try:
        parse_role(role)
    except ValidationError:
        errors["role"] = "choose a role"
    if len(password or "") < 8:
        errors["password"] = "at least 8 characters"
    if errors:
        raise FieldErrors(errors)
    return add_user(s, name, role, password, display_name=(display_name or "").strip(), by=me)


def reset_password(s: Session, admin: str | User, who: str, password: str, keep_session: str | None = None) -> User:
    """An admin sets a user's password: that user's log-ins end (the admin's own one of ``keep_session`` stays)."""
    me = acting(s, admin, Role.ADMIN, action="set passwords")
    if len(password or "") < 8:
        raise FieldErrors({"password": "at least 8 characters"})
    user = get_user(s, who)
    user.password_hash = hash_password(password)
    security.end_sessions(s, user, "password", keep=keep_session)
    audit.record(s, "password_reset", me, account=user)
    return user


def change_role(s: Session, admin: str | User | None, who: str, role: str, keep_session: str | None = None) -> User:
    """An admin (None: the command line) gives a user another role. The change is logged and that user's
    log-ins end, so the new role applies at once (the admin's own one of ``keep_session`` stays). The
    last active admin keeps the role: the venue must always have one."""
    me = acting(s, admin, Role.ADMIN, action="change roles") if admin is not None else None
    user = get_user(s, who)
    try:
        new = parse_role(role)
    except ValidationError as exc:
        raise FieldErrors({"role": "choose a role"}, str(exc)) from None
    old = user.role
    if new is old:
        return user
    if old is Role.ADMIN and user.active and s.scalar(
            select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True))) <= 1:
        raise FieldErrors({"role": LAST_ADMIN})
    user.role = new
    security.end_sessions(s, user, "role changed", keep=keep_session)
    audit.record(s, "role_changed", me, account=user, detail=f"{old.value} -> {new.value}")
    return user


def set_active(s: Session, admin: str | User, who: str, active: bool) -> User:
    me = acting(s, admin, Role.ADMIN, action="switch accounts on or off")
    user = get_user(s, who)
    if user.id == me.id and not active:
        raise ValidationError("you cannot switch off your own account")
    last = not active and user.active and user.role is Role.ADMIN
    if last:  # the same rule as change_role: the venue keeps an active admin (two admins at once included)
        s.execute(select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update())
        user.active = False
        s.flush()
        if not s.scalar(select(func.count()).where(User.role == Role.ADMIN, User.active.is_(True))):
            raise FieldErrors({"active": LAST_ADMIN}, LAST_ADMIN)
    if user.active != bool(active) or last:
        if not active:
            security.end_sessions(s, user, "switched off")
        audit.record(s, "user_activated" if active else "user_deactivated", me, account=user)
    user.active = bool(active)
    return user


def check_staff_ready(s: Session, admin: str | User) -> None:
    """The first day's staff step is done only when the templates can be approved and the desk can page:
    at least one active supervisor (or another admin) besides ``admin``, who can log in (four-eyes: the
    admin who reviews the templates never approves them), and at least one active desk user. FieldErrors
    ``done`` says what is missing, all of it at once."""
    me = get_user(s, admin)
    staff = [u for u in list_users(s) if u.active and u.password_hash and u.id != me.id]
    supervisor = any(u.role in (Role.SUPERVISOR, Role.ADMIN) for u in staff)
    desk = any(u.role is Role.DESK for u in staff)
    if not supervisor or not desk:
        raise FieldErrors({"done": STAFF_MISSING[supervisor, desk]})


#: (a supervisor besides the admin?, a desk user?) -> what the staff step still needs.
STAFF_MISSING = {
    (False, False): "add a supervisor other than you (they approve the page templates: never the person who "
                    "wrote them) and a desk user (they page lost children) before you continue",
    (False, True): "add a supervisor other than you before you continue: they approve the page templates "
                   "(never the person who wrote them)",
    (True, False): "add a desk user before you continue: they page lost children and record lost property",
}
