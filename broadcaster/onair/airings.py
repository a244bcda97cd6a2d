"""The one way onto the air: services write airings; zone players claim them (``onair.player``).

``request(s, ...)`` stores one row per zone, idempotently (a ``key`` already stored is not stored
again: a schedule slot or a page repeat written twice, by two leaders in a fail-over, airs once),
and wakes the players when the transaction commits. ``cancel(s, ref)`` takes an item off the air
wherever it waits or airs. Nothing here touches audio.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from broadcaster.clock import utcnow
from broadcaster.errors import PermissionDenied, ValidationError
from broadcaster.priorities import Priority
from broadcaster.store.models.onair import OPEN_STATES, Airing, AiringState, PlayerStatus

CHANNEL = "airings"
KINDS = ("announcement", "page", "programme", "music", "emergency")


@dataclass
class Request:
    """What a service asks to air."""
    key: str                      # idempotency key of the request (the zone is added per row)
    ref: str                      # "announcement:12", "page:3", "programme:2"
    kind: str
    title: str
    zones: Sequence[str]
    priority: int
    pieces: list[dict]
    content_hash: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    requested_by: str = ""
    resumable: bool = False
    max_retries: int = 3


def ref_id(ref: str, kind: str) -> int | None:
    """The id an airing's ref names (``page:12`` -> 12), None when the ref is not of ``kind``."""
    return int(ref[len(kind) + 1:]) if ref.startswith(kind + ":") else None


def announced_zones(s: Session) -> list[str]:
    """The zones the zone players announced (each player's, in the order the rows come), repeats and all."""
    return [z for zones in s.scalars(select(PlayerStatus.zones)) for z in zones or ()]


def check_zones(s: Session, zones: Sequence[str], venue_zones: Iterable[str] = ()) -> list[str]:
    """The zones, refused (ValidationError, nothing stored) when empty or unknown to the venue."""
    zones = list(dict.fromkeys(z.strip() for z in zones if z and z.strip()))
    if not zones:
        raise ValidationError("zones: choose at least one zone")
    venue = set(venue_zones)
    if venue.issuperset(zones):  # the venue's own zones: no need to ask which zones players announced
        return zones
    known = venue.union(announced_zones(s))  # and those players announced
    unknown = [z for z in zones if z not in known]
    if unknown:
        raise ValidationError(f"zones: unknown zone(s) {', '.join(unknown)}; the venue's zones are "
                              f"{', '.join(sorted(known)) or '(none)'}")
    return zones


def check_priority(priority: int, kind: str, role_may_exceed: bool) -> int:
    """Nothing but an emergency out-ranks a page; above the announcement class needs a supervisor."""
    priority = int(priority)
    if kind != "emergency" and kind != "page" and priority >= Priority.URGENT_PAGE:
        raise ValidationError(f"priority: {priority} would out-rank lost-child pages; only an emergency "
                              f"may (at most {int(Priority.URGENT_PAGE) - 1} here)")
    if priority > Priority.ANNOUNCEMENT and not role_may_exceed and kind not in ("page", "emergency"):
        raise PermissionDenied(f"priority: above {int(Priority.ANNOUNCEMENT)} (announcement) needs a supervisor")
    if priority < 0:
        raise ValidationError("priority: must not be negative")
    return priority


def request(s: Session, req: Request, signals=None, *, at: datetime | None = None, venue_zones=None) -> list[Airing]:
    """Store the airing rows of ``req`` (one per zone, checked first when ``venue_zones`` is given; rows
    already stored under the same key are left as they are) and wake the players on commit; returns them."""
    if venue_zones is not None:
        req.zones = check_zones(s, req.zones, venue_zones)
    if req.kind not in KINDS:
        raise ValidationError(f"kind: {req.kind!r} is not one of {', '.join(KINDS)}")
    if not req.pieces:
        raise ValidationError(f"{req.title}: nothing to air")
    now = at or utcnow()
    keys = {f"{req.key}@{zone}": zone for zone in req.zones}
    rows = [dict(key=key, ref=req.ref, kind=req.kind, title=req.title[:200], zone=zone, priority=int(req.priority),
                 pieces=req.pieces, content_hash=req.content_hash, state=AiringState.QUEUED,
                 not_before=req.not_before, not_after=req.not_after, requested_by=req.requested_by[:80],
                 requested_at=now, resumable=req.resumable, retries=0, max_retries=req.max_retries, detail="")
            for key, zone in keys.items()]
    # a key already stored (a slot or repeat written twice, e.g. by two leaders at once) is left alone
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    new = s.execute(dialect.insert(Airing).on_conflict_do_nothing(index_elements=["key"])
                    .returning(Airing.id), rows).scalars().all()
    if new and signals is not None:
        signals.send(s, CHANNEL, req.zones)  # only the players of these zones wake
    return list(s.scalars(select(Airing).where(Airing.key.in_(list(keys))).order_by(Airing.id)
                          .execution_options(populate_existing=True)))


def cancel(s: Session, ref: str, detail: str, signals, *, at: datetime | None = None) -> int:
    """Take ``ref`` off the air in every zone: queued rows never air, airing ones are stopped by their
    player within a block. Returns how many rows were open."""
    ids = select(Airing.id, Airing.zone).where(Airing.ref == ref, Airing.state.in_(OPEN_STATES)).order_by(Airing.id)
    # rows locked in id order, as players write them: a cancel and a player's step never deadlock
    rows = s.execute(ids.with_for_update(of=Airing) if s.get_bind().dialect.name == "postgresql" else ids).all()
    ids = [r.id for r in rows]
    if not ids:
        return 0
    q = (update(Airing).where(Airing.id.in_(ids), Airing.state.in_(OPEN_STATES))
         .values(state=AiringState.CANCELLED, ended_at=at or utcnow(), detail=detail[:500]))
    n = s.execute(q.execution_options(synchronize_session=False)).rowcount
    if n:
        signals.send(s, CHANNEL, {r.zone for r in rows})
    return n


def latest(s: Session, ref: str) -> list[Airing]:
    return list(s.scalars(select(Airing).where(Airing.ref == ref).order_by(Airing.id.desc()).limit(50)))
