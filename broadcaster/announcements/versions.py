"""Versions of an announcement. An edit of an announcement whose approval is in force does not take it
off the air: the edit is a new version awaiting approval, and the approved version (its audio, by hash)
keeps airing in scheduled slots until a supervisor who wrote none of the new version approves it.
Approval stays bound to the audio hash of what airs; the as-run log names the version that aired."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from broadcaster.store.models.core import User
from broadcaster.store.models.versions import AnnouncementVersion as V, VersionState as VS
from broadcaster.store.models.workflow import Announcement, AnnouncementState as S

#: States of an announcement whose newest version is not approved (yet).
PENDING_STATES = {S.DRAFT, S.SUBMITTED, S.REJECTED}
#: States in which the approval is in force (the approved audio may air).
APPROVED_STATES = {S.APPROVED, S.QUEUED, S.AIRING, S.AIRED, S.INTERRUPTED, S.FAILED}


def rows(s: Session, ann_id: int) -> list[V]:
    return list(s.scalars(select(V).where(V.announcement_id == ann_id).order_by(V.number)))


def airing(s: Session, ann: Announcement) -> V | None:
    """The approved version whose audio airs now (None when nothing may air)."""
    if not ann.approved_hash:
        return None
    row = s.scalar(select(V).where(V.announcement_id == ann.id, V.state == VS.APPROVED,
                                   V.content_hash == ann.approved_hash))
    if ann.state in APPROVED_STATES:
        return row or V(announcement_id=ann.id, number=_last(s, ann.id) or 1, state=VS.APPROVED,
                        content_hash=ann.approved_hash, audio=ann.approved_audio)
    return row if ann.state in PENDING_STATES else None


def in_force(s: Session, ann: Announcement, sha: str | None = None) -> bool:
    """An approved version may air (with exactly the audio ``sha``, when given): the announcement is
    approved, or a newer version awaits approval while the approved one keeps airing."""
    if airing(s, ann) is None:
        return False
    return sha is None or ann.approved_hash == sha


def pending(s: Session, ann: Announcement) -> V | None:
    return s.scalar(select(V).where(V.announcement_id == ann.id, V.state == VS.PENDING))


def _last(s: Session, ann_id: int) -> int:
    return s.scalar(select(func.max(V.number)).where(V.announcement_id == ann_id)) or 0


def snapshot(row: V, ann: Announcement) -> None:
    row.title = ann.title
    row.texts = [[lang, text] for lang, text in ann.parts()]


def written(s: Session, ann: Announcement, user: User) -> V:
    """Create or edit: the pending version gets the announcement's content and ``user`` as one of its
    writers. Before an edit of an approved announcement, its approved version is kept on record."""
    if ann.approved_hash and ann.state in APPROVED_STATES and s.scalar(
            select(V.id).where(V.announcement_id == ann.id, V.state == VS.APPROVED,
                               V.content_hash == ann.approved_hash)) is None:
        row = V(announcement_id=ann.id, number=_last(s, ann.id) + 1, state=VS.APPROVED,
                content_hash=ann.approved_hash, audio=ann.approved_audio, engines=ann.approved_engines,
                approved_by_id=ann.approved_by_id, approved_at=ann.approved_at, editors=[ann.author_id])
        snapshot(row, ann)
        s.add(row)
        s.flush()
    row = pending(s, ann)
    if row is None:
        row = V(announcement_id=ann.id, number=_last(s, ann.id) + 1, state=VS.PENDING, editors=[])
        s.add(row)
    row.editors = sorted(set(row.editors or []) | {user.id})
    return row


def writers(s: Session, ann: Announcement) -> set[int]:
    """Who wrote the version awaiting approval: none of them may approve it (nor the announcement's
    author)."""
    row = pending(s, ann)
    return {ann.author_id} | set(row.editors if row else [])


def approved(s: Session, ann: Announcement) -> V:
    """The pending version became the approved one (called once the announcement carries the new
    approval): the version it replaces is kept on record as replaced."""
    for old in s.scalars(select(V).where(V.announcement_id == ann.id, V.state == VS.APPROVED)):
        old.state = VS.REPLACED
    row = pending(s, ann) or V(announcement_id=ann.id, number=_last(s, ann.id) + 1, editors=[ann.author_id])
    snapshot(row, ann)
    row.state, row.content_hash, row.audio, row.engines = (VS.APPROVED, ann.approved_hash, ann.approved_audio,
                                                           ann.approved_engines)
    row.approved_by_id, row.approved_at = ann.approved_by_id, ann.approved_at
    if row.id is None:
        s.add(row)
    s.flush()
    return row


def number_of(s: Session, ann_id: int, sha: str | None) -> int | None:
    """The version number of the audio ``sha`` (for the as-run log)."""
    return s.scalar(select(V.number).where(V.announcement_id == ann_id, V.content_hash == sha)) if sha else None


def summary(s: Session, ann: Announcement) -> dict:
    """For the editor: the number of the version on air (None: nothing may air) and of the version
    awaiting approval (None: none)."""
    on_air, row = airing(s, ann), pending(s, ann)
    waiting = row.number if row is not None and ann.state in PENDING_STATES else None
    return {"airing": on_air.number if on_air is not None else None,
            "pending": waiting if on_air is not None else None}
