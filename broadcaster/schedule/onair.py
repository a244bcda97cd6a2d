"""Schedule slots and the background music onto the air: airings written from programmes.

A slot's airings carry the key ``slot:<uid>`` (the rule and the instant), so a slot written twice (two
leaders during a fail-over, a resync) airs once. Announcements go as their approved audio by hash
(approver and engines with it, for the as-run log); playlists and recordings as files named by path
and by the sha256 of their bytes (the player checks it before decoding), so the as-run log says
exactly what aired, piece by piece.

A slot that does not air is a missed slot with its reason: refused at air time (:func:`at_air`: its
announcement is no longer approved with that audio), expired past its grace, or failed.
"""
from __future__ import annotations

import logging
import math
import uuid
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Iterable

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from broadcaster.announcements.station import audio_piece, check_approved_audio, share_audio
from broadcaster.onair import airings
from broadcaster.priorities import Priority
from broadcaster.schedule.programmes import ItemView, ProgrammeView
from broadcaster.schedule import levels, store
from broadcaster.schedule.rules import Slot, parse_uid
from broadcaster.settings import load_settings
from broadcaster.store.models.onair import Airing
from broadcaster.store.models.schedule import MissedSlot
from broadcaster.store.media import file_sha256
from broadcaster.store.models.workflow import Announcement, Fault
from playlists.playlist import Playlist

log = logging.getLogger(__name__)


def _file(path, title: str = "", gain_db: float | None = None) -> dict:
    """A file piece or track: named by path and by the sha256 of its bytes (and a track's gain, when
    it was measured at import)."""
    out = {"path": str(path), "sha256": file_sha256(path), "title": title or Path(str(path)).name}
    return out if gain_db is None else dict(out, gain_db=gain_db)


def pieces_of(s: Session, programme: ProgrammeView, db=None, media=None, hours: float | None = None) -> list[dict]:
    return [piece for it in programme.items for piece in _piece(s, it, db, media, hours)]


def _piece(s: Session, it: ItemView, db, media, hours) -> list[dict]:
    if it.kind == "silence":
        return [{"type": "silence", "seconds": float(it.seconds or 0)}]
    if it.kind == "chime":
        return [{"type": "chime", "name": it.chime or "programme"}]
    if it.kind == "recording":
        if not it.path:
            return []
        piece = dict(_file(it.path), type="file")
        gain = levels.gain_for(s, piece["path"], piece["sha256"])
        return [piece if gain is None else dict(piece, gain_db=gain, limiter=True)]
    if it.kind == "announcement":
        ann = s.get(Announcement, it.announcement_id)
        if ann is None or not ann.approved_hash:
            return []
        if db is not None and media is not None:
            share_audio(s, db, media, ann)
        return [audio_piece(ann, s)]
    if not it.tracks:
        return []
    playlist = Playlist(it.playlist or "", list(it.tracks))
    if hours:  # the bed: one pass over the playlist, played again until the hours are covered
        tracks = list(islice(playlist.order(it.shuffle), len(it.tracks)))
        once = sum(t.duration for t in tracks)
        return [{"type": "music", "tracks": [_file(t.path, t.title, t.gain_db) for t in tracks],
                 "crossfade": it.crossfade_s, "seconds": None,
                 "passes": max(1, math.ceil(hours * 3600 / once)) if once > 0 else 1}]
    tracks = playlist.fill(it.seconds or sum(t.duration for t in it.tracks), shuffle=it.shuffle)
    return [{"type": "music", "tracks": [_file(t.path, t.title, t.gain_db) for t in tracks],
             "crossfade": it.crossfade_s, "seconds": it.seconds}]


def warmer(db=None):
    """The scheduler's render job, ahead of a slot: hash its files now and make sure its recordings
    have their gain at the venue's target stored (measured now if missing, e.g. the target changed),
    so writing its airings at the slot's instant waits for neither."""
    def warm(programme: ProgrammeView, slot: Slot | None = None) -> None:
        for it in programme.items:
            for track in it.tracks:
                file_sha256(track.path)
            if it.kind == "recording" and it.path:
                levels.level(db, it.path)
    return warm


warm = warmer(None)  # with no database at hand: files hashed, gains measured into this process's copy


def _venue(venue_zones) -> Iterable[str]:
    """The venue's zones: ``venue_zones`` (or what it returns now, a callable), else the venue settings'."""
    if callable(venue_zones):
        return venue_zones()
    return load_settings().zones if venue_zones is None else venue_zones


def _sized(programme: ProgrammeView, slot: Slot) -> ProgrammeView:
    """The programme at its rule's length, when the rule has one (else, or when the programme was
    changed since so that the length no longer fits, as it is)."""
    from broadcaster.errors import ValidationError
    from broadcaster.schedule.moves import fit

    if not slot.length_s:
        return programme
    try:
        return fit(programme, slot.length_s)
    except ValidationError:
        log.warning("%s no longer fits its rule's %.0f s: aired at its own length", programme.name, slot.length_s)
        return programme


def slot_airings(s: Session, programme: ProgrammeView, slot: Slot, *, signals=None, db=None, media=None,
                 grace_s: float = 60, venue_zones=None) -> list:
    """Write the airings of one slot (idempotent by the slot's uid: one row per zone however often it
    is written). ``venue_zones``: the venue's zones (default: the venue settings')."""
    pieces = pieces_of(s, _sized(programme, slot), db, media)
    if not pieces:
        raise ValueError(f"programme {programme.name!r} has nothing to air")
    main = next((p for p in pieces if p.get("type") == "audio"), {})
    return airings.request(s, airings.Request(
        key=f"slot:{slot.uid}", ref=f"programme:{programme.id}", kind="programme", title=programme.name,
        zones=slot.zones or programme.zones, priority=min(int(slot.priority), int(Priority.URGENT_PAGE) - 1),
        pieces=pieces, content_hash=main.get("sha256", ""), not_after=slot.at + timedelta(seconds=grace_s),
        requested_by="schedule"), signals, venue_zones=_venue(venue_zones))


def writer(db, *, media=None, venue_zones=None, grace_s: float = 60):
    """``submit(programme, slot)`` for the :class:`~broadcaster.schedule.scheduler.ScheduleEngine`:
    writes the slot's airings in a transaction of its own."""
    def submit(programme: ProgrammeView, slot: Slot) -> list[int]:
        with db.session() as s:
            return [r.id for r in slot_airings(s, programme, slot, signals=db.signals, db=db, media=media,
                                               grace_s=grace_s, venue_zones=venue_zones)]
    return submit


def _chunks(uids: list[str], n: int = 200):
    for i in range(0, len(uids), n):
        yield uids[i:i + n]


def written(s: Session, uids: list[str]) -> set[str]:
    """Which of the slots ``uids`` have airings written (by this leader or another)."""
    found: set[str] = set()
    for part in _chunks(list(uids)):
        keys = s.scalars(select(Airing.key).where(or_(*(Airing.key.like(f"slot:{uid}@%") for uid in part))))
        found.update(k[len("slot:"):].rsplit("@", 1)[0] for k in keys)
    return found


def settled(s: Session, uids: list[str]) -> set[str]:
    """Which of the slots ``uids`` need nothing more: their airings were written, or they were logged
    as missed."""
    logged: set[str] = set()
    for part in _chunks(list(uids)):
        logged.update(s.scalars(select(MissedSlot.slot_uid).where(MissedSlot.slot_uid.in_(part))))
    return written(s, uids) | logged


def bed_airings(s: Session, programme: ProgrammeView, *, signals=None, venue_zones=None, hours: float = 12.0) -> list:
    """The background programme's music as the bed (ducked under announcements, paused under pages,
    resuming where it stopped) for ``hours``: its playlists' tracks and its recordings. The leader
    writes the next when it ends."""
    pieces = [p for p in pieces_of(s, programme, hours=hours) if p.get("type") in ("music", "file")]
    if not pieces:
        return []
    tracks = [t for p in pieces for t in (p["tracks"] if p["type"] == "music" else [
        dict({k: p[k] for k in ("path", "sha256", "title", "gain_db", "limiter") if k in p})])]
    crossfade = next((p["crossfade"] for p in pieces if p["type"] == "music"), 3.0)
    passes = max((p.get("passes") or 1 for p in pieces if p["type"] == "music"), default=1)
    return airings.request(s, airings.Request(
        key=f"bed:{programme.id}:{uuid.uuid4().hex[:12]}", ref=f"music:{programme.id}", kind="music",
        title=programme.name, zones=programme.zones, priority=int(Priority.BACKGROUND_MUSIC),
        pieces=[{"type": "music", "tracks": tracks, "crossfade": crossfade, "seconds": None, "passes": passes}],
        requested_by="schedule", resumable=True), signals, venue_zones=_venue(venue_zones))


def at_air(s: Session, airing: Airing) -> None:
    """The player's last check before a slot airs: every announcement in it is still approved, with
    exactly the audio the slot was written with (an edit awaiting approval leaves the approved version
    airing; once the new version is approved, a slot written with the old audio is refused and logged
    as missed)."""
    for piece in airing.pieces or ():
        if piece.get("type") == "audio" and (ann_id := airings.ref_id(str(piece.get("ref") or ""),
                                                                       "announcement")) is not None:
            check_approved_audio(s, ann_id, piece.get("sha256"), f" in programme {airing.title!r}")


def on_outcome(s: Session, out) -> None:
    """A slot that did not air (expired past its grace, refused at air time, failed) is a missed slot,
    logged once per slot with the reason."""
    row = out.airing
    if out.kind not in ("expired", "refused", "failed") or not row.key.startswith("slot:"):
        return
    uid = row.key[len("slot:"):].rsplit("@", 1)[0]
    rule_id, at = parse_uid(uid)
    where = f"{out.kind} in {row.zone}"
    try:
        with s.begin_nested():  # another player may log the same slot (another zone) at the same moment
            if store.log_missed(s, uid, at, airings.ref_id(row.ref, "programme"), row.title, rule_id,
                                f"{where}: {out.detail}"):
                return
    except IntegrityError:
        log.info("missed slot %s already logged", uid)
    missed = s.scalar(select(MissedSlot).where(MissedSlot.slot_uid == uid))  # logged for another zone:
    if missed is not None and where not in missed.reason:  # this one is named too
        more = f"; {where}" + ("" if out.detail in missed.reason else f": {out.detail}")
        missed.reason = (missed.reason + more)[:500]
        for fault in s.scalars(select(Fault).where(Fault.kind == "missed_slot", Fault.ref == f"slot:{uid}"[:64])):
            fault.message = (fault.message + more)[:1000]  # its alarm says so too
