"""The one place where what happened on air is written down: the airing's state, the as-run log
(piece by piece: each announcement's hash and approver, each track's hash, each page's speech hash),
faults, and, through listeners the areas register, their own histories (an announcement's state, a
case's timeline, a schedule slot's outcome). A listener runs in the same transaction.

Outcomes come from zone players (engine events) and from the leader when a player is lost.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from broadcaster import logs
from broadcaster.store.models.onair import OPEN_STATES, Airing, AiringState
from broadcaster.store.models.workflow import AsRun

log = logging.getLogger(__name__)
A = AiringState

#: engine event -> airing state it leaves the row in ("interrupted" and "lost" leave the state as it is)
STATE_AFTER = {"started": A.AIRING, "completed": A.DONE, "requeued": A.QUEUED, "failed": A.FAILED,
               "refused": A.FAILED, "expired": A.EXPIRED, "cancelled": A.CANCELLED}
ENDS_AS_RUN = ("completed", "interrupted", "failed", "cancelled", "lost")


@dataclass(frozen=True)
class Outcome:
    """What happened to one airing (typed event for the areas' listeners)."""
    kind: str          # started completed interrupted requeued failed refused expired cancelled lost
    airing: Airing     # the row, already updated
    at: datetime
    detail: str = ""
    final: bool = False  # the airing will not air again (done, failed, expired, cancelled)
    run: AsRun | None = None  # the as-run row this outcome ended


Listener = Callable[[Session, Outcome], None]
_listeners: dict[str, list[Listener]] = {}


def listen(kind: str, listener: Listener) -> None:
    """Call ``listener(session, outcome)`` for outcomes of airings of ``kind`` (announcement, page,
    programme, music). Registered once per process by the area (idempotent)."""
    if listener not in _listeners.setdefault(kind, []):
        _listeners[kind].append(listener)


def record(s: Session, airing_id: int, kind: str, at: datetime, *, detail: str = "", player: str | None = None,
           pieces: list[dict] | None = None, retries: int | None = None,
           mismatch: bool = False) -> Outcome | None:
    """Write one outcome of airing ``airing_id``. A row already cancelled by staff stays cancelled. With
    ``player``, only while that player still holds the row (one declared lost and released holds none)."""
    row = s.get(Airing, airing_id, populate_existing=True)
    if row is None or (player is not None and row.player != player):
        return None
    to = STATE_AFTER.get(kind)
    if to is not None and row.state is not A.CANCELLED:
        # conditional: a cancel committed since the row was read wins (staff took it off the air)
        s.execute(update(Airing).where(Airing.id == row.id, Airing.state != A.CANCELLED)
                  .values(state=to).execution_options(synchronize_session=False))
        s.refresh(row)
    if kind == "started":
        row.started_at = row.started_at or at
        pieces = pieces if pieces is not None else row.pieces
        main = _main(pieces)
        s.add(AsRun(ref=row.ref, title=row.title, kind=row.kind, zone=row.zone, priority=row.priority,
                    started_at=at, engines=main.get("engines", ""), approved_by=main.get("approved_by", ""),
                    content_hash=main.get("sha256", "") or row.content_hash, airing_id=row.id, pieces=pieces))
    if retries is not None:
        row.retries = max(row.retries, retries)
    if detail:
        row.detail = detail[:500]
    final = row.state not in OPEN_STATES
    if final:
        row.ended_at = row.ended_at or at
    run = _as_run_end(s, row, kind, at, detail, pieces) if kind in ENDS_AS_RUN else None
    if mismatch:  # the audio found is not the audio named: nothing aired, staff must look
        logs.raise_fault(s, "hash_mismatch", detail, zone=row.zone, ref=row.ref)
    outcome = Outcome(kind, row, at, detail, final, run)
    for listener in _listeners.get(row.kind, ()):
        listener(s, outcome)
    return outcome


def _main(pieces: list[dict]) -> dict:
    """The piece that says what the item is: the first stored audio or speech, else the first piece."""
    return next((p for p in pieces if p.get("type") in ("audio", "speech")), pieces[0] if pieces else {})


def _as_run_end(s: Session, row: Airing, outcome: str, at: datetime, detail: str,
                pieces: list[dict] | None) -> AsRun | None:
    run = s.scalar(select(AsRun).where(AsRun.airing_id == row.id, AsRun.outcome == "airing")
                   .order_by(AsRun.id.desc()).limit(1))
    if run is None:
        return None
    run.outcome = "interrupted" if outcome == "lost" else outcome
    run.ended_at, run.detail = at, detail[:500]
    if pieces is not None:  # speech rendered while airing: its hash is known now
        _name(run, pieces)
    if row.progress and outcome != "completed":  # music cut short: the track and second it had reached
        run.pieces = [dict(p, until=row.progress) if p.get("type") == "music" else p for p in run.pieces]
    return run


def _name(run: AsRun, pieces: list[dict]) -> None:
    """The as-run row names its pieces as they are known now (a page's speech: its hash and engines)."""
    run.pieces = [dict(p) for p in pieces]  # a new value: written even when only a piece's keys changed
    main = _main(pieces)
    run.content_hash = main.get("sha256", "") or run.content_hash
    run.engines = main.get("engines", "") or run.engines


def speech_rendered(s: Session, run_id: int, pieces: list[dict]) -> None:
    """A page cut while its speech still rendered (its case resolved, pre-empted): its as-run
    row, written when it was cut, names the speech once it has rendered: the hash of the speech as
    rendered (the same as when it airs in full) and the engines that spoke it. What part of it aired,
    the row's start and end say."""
    run = s.get(AsRun, run_id)
    if run is not None and run.pieces != pieces:
        _name(run, pieces)


def release(s: Session, player: str, at: datetime, why: str, *, pieces: dict[int, list[dict]] | None = None) -> None:
    """A player stopped or was lost: what it had claimed goes back to the queue for any player of the
    zone. What it was airing ends in the as-run log at ``at`` (its last heartbeat: when it was last
    known to air) and is queued again with one retry spent, or ends interrupted when out of retries.
    A page still wanted airs again; one resolved meanwhile is refused by its area's check. ``pieces``:
    what the player itself knows of what it aired, by airing (a page's speech rendered since it began)."""
    for row in s.scalars(select(Airing).where(Airing.player == player, Airing.state.in_(OPEN_STATES))).all():
        was_airing = row.state is A.AIRING
        if was_airing:
            row.retries += 1
        if was_airing and row.retries > row.max_retries and not row.resumable:
            row.state, row.ended_at = A.INTERRUPTED, at
        else:
            row.state, row.player, row.claimed_at = A.QUEUED, None, None
        if was_airing:  # the as-run row ends when it was last known to air; the areas are told
            record(s, row.id, "lost", at, detail=why, pieces=(pieces or {}).get(row.id))
    # taken off the air while the player could not say so (dead, cut off): its as-run entry ends,
    # cancelled, when it was last known to air, instead of staying "airing" for ever
    for row in s.scalars(select(Airing).join(AsRun, AsRun.airing_id == Airing.id).where(
            Airing.player == player, Airing.state == A.CANCELLED, AsRun.outcome == "airing")):
        _as_run_end(s, row, "cancelled", min(at, row.ended_at or at), row.detail, (pieces or {}).get(row.id))


def expire_queued(s: Session, now: datetime) -> int:
    """Queued rows past their not-after never air: expired (and their areas told)."""
    late = list(s.scalars(select(Airing).where(Airing.state == A.QUEUED, Airing.not_after.is_not(None),
                                               Airing.not_after < now, Airing.player.is_(None))))
    for row in late:
        record(s, row.id, "expired", now, detail=f"not after {row.not_after.isoformat()}")
    return len(late)
