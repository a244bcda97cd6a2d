"""The audit log of security events: log-ins and their failures, lock-outs, logouts, password changes,
accounts added or switched on/off, role changes, and supervisors' approvals and rejections of announcements,
pages and page templates.
Each event is written in the same transaction as what it records (so a refused action leaves none).
Supervisors read it in the panel (``events``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from broadcaster.clock import utcnow
from broadcaster.store.models.security import AuditEvent

#: Every kind of event, with its words for staff (English keys of web/i18n.py).
KINDS = {
    "login": "Logged in",
    "login_failed": "Failed log-in",
    "locked_out": "Account locked after failed log-ins",
    "address_locked_out": "Desk locked after failed log-ins",
    "logout": "Logged out",
    "session_expired": "Signed out after being idle",
    "password_changed": "Changed own password",
    "password_reset": "Password set by an admin",
    "user_added": "Account added",
    "user_deactivated": "Account switched off",
    "user_activated": "Account switched on",
    "role_changed": "Role changed",
    "announcement_approved": "Announcement approved",
    "announcement_rejected": "Announcement rejected",
    "page_approved": "Page approved",
    "page_rejected": "Page rejected",
    "template_approved": "Page template approved",
    "template_set_aside": "New wording of a page template turned down",
    "template_retired": "Page template retired",
}


def clean(text: object, limit: int) -> str:
    """Printable text only, at most ``limit`` characters (what a guesser types is shown to supervisors)."""
    return "".join(c for c in str(text or "") if c.isprintable())[:limit]


def name_of(who) -> str:
    return getattr(who, "name", None) or clean(who, 80)


def record(s: Session, kind: str, who=None, *, account=None, subject: str = "", detail: str = "",
           address: str = "", at: datetime | None = None) -> AuditEvent:
    """Add one event to ``s``. ``who`` acted (a user or a name; none: the system or the command line);
    ``account`` is the account concerned (default: ``who``'s)."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    actor = name_of(who) if who is not None else ""
    event = AuditEvent(at=at or utcnow(), kind=kind, actor=actor,
                       account=name_of(account) if account is not None else actor,
                       subject=clean(subject, 200), detail=clean(detail, 500), address=clean(address, 64))
    s.add(event)
    return event


def events(s: Session, *, kind: str = "", user: str = "", since: datetime | None = None,
           until: datetime | None = None, limit: int = 200) -> list[AuditEvent]:
    """The newest events first, of one kind, by or about one user (name), within [since, until)."""
    q = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if kind:
        q = q.where(AuditEvent.kind == kind)
    if user:
        q = q.where(or_(AuditEvent.actor == user, AuditEvent.account == user))
    if since is not None:
        q = q.where(AuditEvent.at >= since)
    if until is not None:
        q = q.where(AuditEvent.at < until)
    return list(s.scalars(q))


def page_decided(s: Session, kind: str, user, page, reason: str = "") -> AuditEvent:
    """A supervisor approved or rejected a page: named by its case's number, else its first wording."""
    from broadcaster.store.models.cases import PersonCase

    case = s.get(PersonCase, page.case_id) if page.case_id else None
    words = next(iter((page.texts or {}).values()), "")
    return record(s, kind, user, subject=f"{case.number}: {words}" if case is not None else words, detail=reason)
