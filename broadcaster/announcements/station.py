"""Approved announcements onto the air, and their state kept in step with what happened there.

``queue`` checks the announcement may air and writes its airings (the approved audio by its hash, one
row per zone); zone players do the rest. What they report reaches the announcement's state through
:func:`on_outcome` (registered with :mod:`broadcaster.onair.outcomes`), and :func:`at_air` is the last
check a player runs before the first sample (still approved, with exactly this audio).
"""
from __future__ import annotations

import uuid
from typing import Iterable

from sqlalchemy import select, update

from broadcaster.announcements import versions
from broadcaster.announcements.approval import OutsideWindow, RefusedToAir
from broadcaster.announcements.scripts import APPROVED_STATES, ON_AIR, TRANSITIONS, AnnouncementService, transition
from broadcaster.cases.staff import session_as
from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import InvalidTransition
from broadcaster.onair import airings, outcomes
from broadcaster.store.db import Database
from broadcaster.store.media import MediaStore
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.onair import Airing, AiringState, MediaBlob
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S

QUEUERS = (Role.BROADCASTER, Role.SUPERVISOR)
QUEUEABLE = {S.APPROVED, S.AIRED, S.INTERRUPTED, S.FAILED}


def ref(ann_id: int) -> str:
    return f"announcement:{ann_id}"


def audio_piece(ann: Announcement, s=None) -> dict:
    """The approved audio as an airing piece: its hash says exactly what airs; approver, engines and the
    version number (with a session) go to the as-run log with it."""
    piece = {"type": "audio", "sha256": ann.approved_hash, "ref": ref(ann.id), "title": ann.title,
             "approved_by": ann.approved_by.name if ann.approved_by else "", "engines": ann.approved_engines or ""}
    number = versions.number_of(s, ann.id, ann.approved_hash) if s is not None else None
    return piece if number is None else dict(piece, version=number)


def check_window(ann: Announcement, now) -> None:
    """Approved, and within its validity window (no audio read here: the player checks the hash)."""
    if ann.state not in APPROVED_STATES or not ann.approved_hash:
        raise RefusedToAir(f"announcement #{ann.id} is not approved ({ann.state.value})")
    if ann.valid_from and now < ann.valid_from:
        raise OutsideWindow(f"announcement #{ann.id} may air from {ann.valid_from.isoformat()}")
    if ann.valid_until and now > ann.valid_until:
        raise OutsideWindow(f"announcement #{ann.id} expired at {ann.valid_until.isoformat()}")


def share_audio(s, db: Database, media: MediaStore, ann: Announcement) -> None:
    """On PostgreSQL players may run on other machines: the approved audio goes in the database (once)."""
    if db.is_postgres and ann.approved_audio and s.get(MediaBlob, ann.approved_hash) is None:
        path = media.path(ann.approved_audio)
        s.add(MediaBlob(sha256=ann.approved_hash, ext=path.suffix.lstrip(".") or "wav", data=path.read_bytes()))


class Station:
    def __init__(self, db: Database, media: MediaStore | None = None, clock: Clock | None = None,
                 venue_zones: Iterable[str] = ()) -> None:
        self.db, self.media = db, media or MediaStore()
        self.clock = clock or SystemClock()
        self.venue_zones = tuple(venue_zones)

    def queue(self, ann_id: int, who: User | str) -> list[int]:
        """Put an approved announcement on the air in its zones. Returns the airing ids."""
        now = self.clock.now()
        refused: OutsideWindow | None = None
        with session_as(self.db, who, *QUEUERS, action="put announcements on air") as (s, user):
            ann = take(s, ann_id, QUEUEABLE, "only approved items can air")
            try:
                check_window(ann, now)
            except OutsideWindow as exc:
                if not (ann.valid_until and now > ann.valid_until and S.EXPIRED in TRANSITIONS[ann.state]):
                    raise
                transition(s, ann, S.EXPIRED, None, "past its window", at=now)  # it can never air
                refused = exc
            else:
                rows = airings.request(s, airings.Request(
                    key=f"{ref(ann.id)}:{uuid.uuid4().hex[:12]}", ref=ref(ann.id), kind="announcement",
                    title=ann.title, zones=ann.zones, priority=ann.priority, pieces=[audio_piece(ann)],
                    content_hash=ann.approved_hash, not_before=ann.valid_from, not_after=ann.valid_until,
                    requested_by=user.name, max_retries=max(0, ann.max_retries - ann.retry_count)),
                    self.db.signals, at=now, venue_zones=self.venue_zones)
                share_audio(s, self.db, self.media, ann)
                transition(s, ann, S.QUEUED, user, "queued", at=now)
        if refused is not None:  # raised once the expiry is stored
            raise refused
        return [r.id for r in rows]

    def unqueue(self, ann_id: int, who: User | str) -> None:
        now = self.clock.now()
        with session_as(self.db, who, *QUEUERS, action="take announcements off the air") as (s, user):
            ann = take(s, ann_id, ON_AIR, "not queued")
            airings.cancel(s, ref(ann.id), f"taken off the air by {user.name}", self.db.signals, at=now)
            transition(s, ann, S.APPROVED if ann.state is S.QUEUED else S.INTERRUPTED, user, "taken off the air",
                       at=now)


def take(s, ann_id: int, states, refusal: str) -> Announcement:
    """The announcement, held for this transaction if it is in one of ``states``: of two requests at the
    same moment (two panel workers, a double click) the second waits for the first and then finds it
    moved on (a conditional write first: SQLite reads outside a transaction, PostgreSQL locks the row)."""
    held = s.execute(update(Announcement).where(Announcement.id == ann_id, Announcement.state.in_(list(states)))
                     .values(state=Announcement.state).execution_options(synchronize_session=False)).rowcount
    ann = AnnouncementService.get(s, ann_id)
    s.refresh(ann)
    if not held:
        raise InvalidTransition(f"announcement #{ann.id} is {ann.state.value}; {refusal}")
    return ann


def check_approved_audio(s, ann_id: int, sha: str | None, where: str = "") -> None:
    """The last check before an announcement's audio airs, alone or as a piece of a programme: an
    approved version is in force with exactly the audio ``sha`` (an edit awaiting approval leaves the
    approved version airing; approving the new version, expiry or a voided approval refuse the old)."""
    ann = s.get(Announcement, ann_id)
    if ann is None or not versions.in_force(s, ann, sha):
        state = "gone" if ann is None else repr(ann.state.value)
        raise RefusedToAir(f"refused at air time: announcement #{ann_id}{where} is {state}; "
                           "approval changed since it was queued")


def at_air(s, airing: Airing) -> None:
    """The player's last check: still approved, with exactly the audio this airing names."""
    if (ann_id := airings.ref_id(airing.ref, "announcement")) is not None:
        check_approved_audio(s, ann_id, airing.content_hash)


def on_outcome(s, out: outcomes.Outcome) -> None:
    """An announcement's state follows its airings: airing, aired once every zone aired it, re-queued,
    failed, expired."""
    row = out.airing
    ann = None if (ann_id := airings.ref_id(row.ref, "announcement")) is None else s.get(Announcement, ann_id)
    if ann is None:
        return
    note = f"{out.kind} in {row.zone}" + (f": {out.detail}" if out.detail else "")

    def move(to: S) -> None:
        if ann.state is not to and to in TRANSITIONS[ann.state]:
            transition(s, ann, to, None, note, at=out.at)

    if out.kind == "started":
        move(S.AIRING)
    elif out.kind == "completed":
        others = s.scalar(select(Airing.id).where(Airing.ref == row.ref, Airing.id != row.id,
                                                  Airing.state.in_((AiringState.QUEUED, AiringState.AIRING))).limit(1))
        if others is None:
            move(S.AIRED)
    elif out.kind in ("interrupted", "lost"):
        move(S.INTERRUPTED)
        ann.retry_count = max(ann.retry_count, row.retries)
        if out.kind == "lost" and row.state is AiringState.QUEUED:
            move(S.QUEUED)
    elif out.kind == "requeued":
        ann.retry_count = max(ann.retry_count, row.retries)
        move(S.QUEUED)
    elif out.kind in ("failed", "refused"):
        move(S.FAILED)
    elif out.kind == "expired":
        move(S.EXPIRED)
