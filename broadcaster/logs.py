"""The as-run log (what aired) and the fault log (raised -> acknowledged -> resolved), with CSV export."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from broadcaster.clock import utcnow
from broadcaster.errors import InvalidTransition, NotFound, ValidationError
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.workflow import AsRun, Fault, FaultState
from broadcaster.users import require

#: settings_unreadable: raised by earlier versions (a hand-edited var/settings.json); rows of it stay readable
FAULT_KINDS = ("device_lost", "tts_down", "hash_mismatch", "escalation", "render_failed", "missed_slot", "player_lost", "settings_unreadable", "other")


# -- as-run ------------------------------------------------------------------------------------
# What aired is written by broadcaster.onair.outcomes (one row per airing attempt, with its pieces).
def as_run_rows(s: Session, since: datetime | None = None, until: datetime | None = None,
                limit: int | None = None) -> list[AsRun]:
    q = select(AsRun).order_by(AsRun.started_at.desc(), AsRun.id.desc())
    if since is not None:
        q = q.where(AsRun.started_at >= since)
    if until is not None:
        q = q.where(AsRun.started_at < until)
    return list(s.scalars(q.limit(limit or None)))  # 0 or None: every row


AS_RUN_COLUMNS = ["id", "started_at", "ended_at", "zone", "kind", "ref", "title", "priority", "outcome",
                  "engines", "approved_by", "content_hash", "detail", "airing_id", "pieces"]


def _cell(v):
    """A CSV cell: times in ISO 8601, people by name, states by value, pieces as JSON."""
    if isinstance(v, User):
        return v.name
    if hasattr(v, "value"):
        return v.value
    if isinstance(v, (list, dict)):  # what aired, piece by piece (each piece's hash)
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return v.isoformat() if isinstance(v, datetime) else ("" if v is None else v)


def _csv(columns: list[str], rows: list) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(columns)
    w.writerows([_cell(getattr(r, c)) for c in columns] for r in rows)
    return out.getvalue()


def as_run_csv(rows: list[AsRun]) -> str:
    return _csv(AS_RUN_COLUMNS, rows)


# -- faults ------------------------------------------------------------------------------------
def raise_fault(s: Session, kind: str, message: str, *, zone: str | None = None, ref: str | None = None) -> Fault:
    """Record a fault. The same kind in the same zone/ref, still open, counts another occurrence
    instead of a new row (a flapping device does not flood the log)."""
    if kind not in FAULT_KINDS:
        raise ValidationError(f"kind: {kind!r} is not one of {', '.join(FAULT_KINDS)}")
    open_one = s.scalar(select(Fault).where(Fault.kind == kind, Fault.zone == zone, Fault.ref == ref,
                                            Fault.state != FaultState.RESOLVED))
    if open_one is not None:
        open_one.occurrences += 1
        open_one.message = message
        return open_one
    fault = Fault(kind=kind, message=message, zone=zone, ref=ref, raised_at=utcnow())
    s.add(fault)
    s.flush()
    return fault


def _fault(s: Session, fault_id: int) -> Fault:
    fault = s.get(Fault, fault_id)
    if fault is None:
        raise NotFound(f"no fault #{fault_id}")
    return fault


def acknowledge(s: Session, fault_id: int, user: User, note: str = "", at: datetime | None = None) -> Fault:
    require(user, Role.SUPERVISOR, Role.DESK, Role.BROADCASTER, action="acknowledge faults")
    fault = _fault(s, fault_id)
    if fault.acknowledged_at is not None:
        raise InvalidTransition(f"fault #{fault_id} was already acknowledged by {fault.acknowledged_by.name}")
    # A fault the system cleared by itself (a device that came back) still waits for a person to see it:
    # it stays resolved, and the acknowledgement is recorded.
    fault.acknowledged_by_id, fault.acknowledged_at = user.id, at or utcnow()
    if fault.state is FaultState.RAISED:
        fault.state = FaultState.ACKNOWLEDGED
    if note:
        fault.note = (fault.note + "\n" if fault.note else "") + f"{user.name}: {note}"
    return fault


def resolve(s: Session, fault_id: int, user: User | None, note: str = "", at: datetime | None = None) -> Fault:
    """Resolve a fault (``user`` None: the system saw it clear, e.g. the device came back)."""
    if user is not None:
        require(user, Role.SUPERVISOR, Role.DESK, Role.BROADCASTER, action="resolve faults")
    fault = _fault(s, fault_id)
    if fault.state is FaultState.RESOLVED:
        raise InvalidTransition(f"fault #{fault_id} is already resolved")
    fault.state, fault.resolved_at = FaultState.RESOLVED, at or utcnow()
    fault.resolved_by_id = user.id if user else None
    who = user.name if user else "system"
    fault.note = (fault.note + "\n" if fault.note else "") + f"{who}: {note or 'resolved'}"
    return fault


def resolve_open(s: Session, kind: str, zone: str | None, note: str, *, ref: str | None = None) -> int:
    """The system saw the cause clear: resolve the open faults of ``kind`` in ``zone`` (and ``ref``)."""
    q = select(Fault).where(Fault.kind == kind, Fault.zone == zone, Fault.state != FaultState.RESOLVED)
    if ref is not None:
        q = q.where(Fault.ref == ref)
    found = list(s.scalars(q))
    for fault in found:
        resolve(s, fault.id, None, note)
    return len(found)


def faults(s: Session, *, attention: bool = False) -> list[Fault]:
    """Faults, newest first. ``attention``: what staff must still see: open, or never acknowledged."""
    q = select(Fault).order_by(Fault.raised_at.desc(), Fault.id.desc())
    if attention:
        q = q.where((Fault.state != FaultState.RESOLVED) | Fault.acknowledged_at.is_(None))
    return list(s.scalars(q))


#: A lost player's last heartbeat as broadcaster.onair.leader writes it in a fault, in UTC: with its date, or
#: the time alone in faults recorded before stop 26.
HEARTBEAT = re.compile(r"(?<=no heartbeat since )(?:(\d{4}-\d\d-\d\d) )?(\d\d:\d\d:\d\d) UTC(?=\)$)")


def heartbeat_in(message: str, raised_at: datetime | None = None) -> tuple[tuple[int, int], datetime] | None:
    """Where a lost player's fault names its last heartbeat (the span of "05:17:51 UTC" in ``message``)
    and that instant, or None. A time without its date (an older fault) is the one nearest the fault's
    ``raised_at``: the leader raises it within minutes of the last heartbeat. The stored text is not changed."""
    m = HEARTBEAT.search(str(message or ""))
    if m is None or (m[1] is None and raised_at is None):
        return None
    if m[1]:
        return m.span(), datetime.strptime(f"{m[1]} {m[2]}", "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    raised = raised_at if raised_at.tzinfo else raised_at.replace(tzinfo=UTC)
    clock = datetime.strptime(m[2], "%H:%M:%S").time()
    same_day = datetime.combine(raised.astimezone(UTC).date(), clock, tzinfo=UTC)
    return m.span(), min((same_day + timedelta(days=d) for d in (-1, 0, 1)), key=lambda at: abs(at - raised))


FAULT_COLUMNS = ["id", "raised_at", "kind", "zone", "ref", "message", "occurrences", "state", "acknowledged_by",
                 "acknowledged_at", "resolved_by", "resolved_at", "note"]


def faults_csv(rows: list[Fault]) -> str:
    return _csv(FAULT_COLUMNS, rows)
