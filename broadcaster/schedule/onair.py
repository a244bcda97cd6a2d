"""Schedule slots and the background music onto the air: airings written from programmes.

A slot's airings carry the key ``slot:<uid>`` (the rule and the instant), so a slot written twice (two
leaders during a fail-over, a resync) airs once. Announcements go as their approved audio by hash
(approver and engines with it, for the as-run log); playlists as music pieces whose tracks are named
by path and, where the file is content-addressed, by hash.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from broadcaster.announcements.station import audio_piece, share_audio
from broadcaster.onair import airings
from broadcaster.priorities import Priority
from broadcaster.schedule.programmes import ItemView, ProgrammeView
from broadcaster.schedule.rules import Slot
from broadcaster.store.models.workflow import Announcement
from playlists.playlist import Playlist

_SHA = re.compile(r"^[0-9a-f]{64}$")


def _file(path, title: str = "") -> dict:
    """A file piece or track: named by path, and by hash where its name is its content hash."""
    stem = Path(str(path)).stem
    return {"path": str(path), "sha256": stem if _SHA.match(stem) else "", "title": title or Path(str(path)).name}


def pieces_of(s: Session, programme: ProgrammeView, db=None, media=None, hours: float | None = None) -> list[dict]:
    out: list[dict] = []
    for it in programme.items:
        out.extend(_piece(s, it, db, media, hours))
    return out


def _piece(s: Session, it: ItemView, db, media, hours) -> list[dict]:
    if it.kind == "silence":
        return [{"type": "silence", "seconds": float(it.seconds or 0)}]
    if it.kind == "chime":
        return [{"type": "chime", "name": it.chime or "programme"}]
    if it.kind == "recording":
        return [dict(_file(it.path), type="file")] if it.path else []
    if it.kind == "announcement":
        ann = s.get(Announcement, it.announcement_id)
        if ann is None or not ann.approved_hash:
            return []
        if db is not None and media is not None:
            share_audio(s, db, media, ann)
        return [audio_piece(ann)]
    if not it.tracks:
        return []
    seconds = hours * 3600 if hours else (it.seconds or sum(t.duration for t in it.tracks))
    tracks = Playlist(it.playlist or "", list(it.tracks)).fill(seconds, shuffle=it.shuffle)
    return [{"type": "music", "tracks": [_file(t.path, t.title) for t in tracks], "crossfade": it.crossfade_s,
             "seconds": None if hours else it.seconds}]


def slot_airings(s: Session, programme: ProgrammeView, slot: Slot, *, signals=None, db=None, media=None,
                 grace_s: float = 60, venue_zones=()) -> list:
    """Write the airings of one slot (idempotent by the slot's uid)."""
    pieces = pieces_of(s, programme, db, media)
    if not pieces:
        raise ValueError(f"programme {programme.name!r} has nothing to air")
    main = next((p for p in pieces if p.get("type") == "audio"), {})
    zones = airings.check_zones(s, slot.zones or programme.zones, venue_zones)
    return airings.request(s, airings.Request(
        key=f"slot:{slot.uid}", ref=f"programme:{programme.id}", kind="programme", title=programme.name,
        zones=zones, priority=min(int(slot.priority), int(Priority.URGENT_PAGE) - 1), pieces=pieces,
        content_hash=main.get("sha256", ""), not_after=slot.at + timedelta(seconds=grace_s),
        requested_by="schedule"), signals)


def bed_airings(s: Session, programme: ProgrammeView, *, signals=None, venue_zones=(), hours: float = 12.0) -> list:
    """The background programme's music as the bed (ducked under announcements, paused under pages,
    resuming where it stopped) for ``hours``; the leader writes the next when it ends."""
    pieces = [p for p in pieces_of(s, programme, hours=hours) if p.get("type") == "music"]
    if not pieces:
        return []
    tracks = [t for p in pieces for t in p["tracks"]]
    zones = airings.check_zones(s, programme.zones, venue_zones)
    return airings.request(s, airings.Request(
        key=f"bed:{programme.id}:{uuid.uuid4().hex[:12]}", ref=f"music:{programme.id}", kind="music",
        title=programme.name, zones=zones, priority=int(Priority.BACKGROUND_MUSIC),
        pieces=[{"type": "music", "tracks": tracks, "crossfade": pieces[0]["crossfade"], "seconds": None}],
        requested_by="schedule", resumable=True), signals)


def on_outcome(s: Session, out) -> None:
    """A slot that did not air (expired past its grace, refused at air time, failed) is a missed slot,
    logged once per slot with the reason."""
    from sqlalchemy import select

    from broadcaster.store.models.schedule import MissedSlot, Programme

    row = out.airing
    if out.kind not in ("expired", "refused", "failed") or not row.key.startswith("slot:"):
        return
    uid = row.key[len("slot:"):].rsplit("@", 1)[0]
    if s.scalar(select(MissedSlot.id).where(MissedSlot.slot_uid == uid)) is not None:
        return
    rule = uid.split("-", 1)[0][1:]
    pid = int(row.ref.split(":", 1)[1])
    stamp = uid.rsplit("-", 1)[-1]
    at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc) if stamp[:1].isdigit() else out.at
    s.add(MissedSlot(slot_uid=uid, slot_at=at,
                     programme_id=pid if s.get(Programme, pid) else None, programme_name=row.title[:120],
                     rule_id=int(rule) if rule.isdigit() and rule != "0" else None,
                     reason=f"{out.kind} in {row.zone}: {out.detail}"[:500]))


def register() -> None:
    from broadcaster.onair import outcomes

    outcomes.listen("programme", on_outcome)
