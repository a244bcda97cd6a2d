"""Programme service: playlists, programmes (ordered items), schedule rules, closed days, missed slots.

Everything returned is a detached, immutable view, safe to hand to other threads (the scheduler).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audio.pcm import AudioError
from broadcaster.errors import NotFound, ValidationError
from broadcaster.onair import airings
from broadcaster.store.db import Database
from broadcaster.store.models.core import Role
from broadcaster.store.models.schedule import (ClosedDay, ItemKind, MissedSlot, PlaylistRecord,
                                         Programme, ProgrammeItem, ScheduleRule)
from broadcaster.priorities import Priority
from broadcaster.schedule import levels, store
from broadcaster.schedule.playlist_shelf import PlaylistShelf, tracks_of
from broadcaster.schedule.playlist_shelf import may_schedule as _may_schedule
from broadcaster.schedule.rules import RuleSpec, ScheduledRule, Slot, expand, venue_zone
from broadcaster.settings import load_settings, save_settings
from broadcaster.announcements import versions
from broadcaster.store.models.workflow import Announcement
from playlists import Track, probe

CHANGED = "schedule"  # signalled when rules or closed days change
CHIMES = ("programme", "announcement", "urgent_page", "emergency")
CHIME_ESTIMATE_S = 2.5
ANNOUNCEMENT_ESTIMATE_S = 30.0


class NotApproved(ValidationError):
    """A programme names an announcement that is not approved."""


@dataclass(frozen=True)
class ItemSpec:
    """Input for one programme item. ``playlist`` is a playlist name; ``seconds`` is the silence length
    or the playlist's duration limit."""

    kind: str
    announcement_id: int | None = None
    path: str | None = None
    playlist: str | None = None
    seconds: float | None = None
    chime: str | None = None


@dataclass(frozen=True)
class ItemView(ItemSpec):
    """A stored item as it plays: a playlist's (or a recording's) tracks with how they play."""

    tracks: tuple[Track, ...] = ()
    shuffle: bool = False
    crossfade_s: float = 3.0

    @property
    def estimate(self) -> float:
        if self.kind == "silence":
            return float(self.seconds or 0)
        if self.kind == "chime":
            return CHIME_ESTIMATE_S
        if self.kind == "announcement":
            return ANNOUNCEMENT_ESTIMATE_S
        if self.kind == "recording" and self.tracks:
            return self.tracks[0].duration
        total = sum(t.duration for t in self.tracks)
        return min(total, self.seconds) if self.seconds else total

    def describe(self) -> str:
        if self.kind == "announcement":
            return f"announcement #{self.announcement_id}"
        if self.kind == "recording":
            return f"recording {Path(self.path or '').name}"
        if self.kind == "playlist":
            lim = f" for {self.seconds / 60:g} min" if self.seconds else ""
            return f"playlist {self.playlist!r}{lim}"
        if self.kind == "silence":
            return f"silence {self.seconds:g}s"
        return f"chime {self.chime}"


@dataclass(frozen=True)
class ProgrammeView:
    id: int
    name: str
    priority: int
    zones: tuple[str, ...]
    background: bool
    items: tuple[ItemView, ...]
    description: str = ""

    @property
    def estimated_duration(self) -> float:
        return sum(i.estimate for i in self.items)

    @property
    def announcement_ids(self) -> list[int]:
        return [i.announcement_id for i in self.items if i.kind == "announcement" and i.announcement_id]

    def describe(self) -> str:
        return " + ".join(i.describe() for i in self.items)


def programme_name(name: str | None, items: list[ItemSpec]) -> str:
    """A programme's name, checked with its items: 1-120 characters and at least one item."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("name: a programme needs a name of 1-120 characters")
    if not items:
        raise ValidationError(f"items: programme {name!r} needs at least one item")
    return name


def _zones(s: Session, zones: str | tuple[str, ...] | list[str] | None, venue_zones) -> str:
    """The zones as stored ("a,b"), each one of the venue's (its settings' or a player's): an unknown
    zone is refused (ValidationError) before anything is stored."""
    items = zones.split(",") if isinstance(zones, str) else list(zones or ["main"])
    return ",".join(airings.check_zones(s, items, venue_zones))


def _priority(value, user) -> int:
    """A programme's priority: never at or above a lost-child page (only an emergency out-ranks one),
    and above the announcement class only from a supervisor (``user`` None: the operator's shell)."""
    try:
        prio = int(Priority.parse(value))
    except ValueError:  # said as the form's list says it (Priority.parse's words name the stored spellings)
        raise ValidationError("priority: choose a priority from the list (background music, programme or "
                              "announcement)") from None
    return airings.check_priority(prio, "programme", user is None or user.can(Role.SUPERVISOR))


class ProgrammeService(PlaylistShelf):
    def __init__(self, db: Database, *, tz: str | None = None, venue_zones=None) -> None:
        self.db = db
        self._tz_override = tz
        self._tz_checked = False
        self._venue_zones = venue_zones

    @property
    def venue_zones(self) -> tuple[str, ...]:
        """The venue's zones from its settings (or as given); zone players add theirs."""
        if self._venue_zones is not None:
            return tuple(self._venue_zones)
        return tuple(load_settings(self.db).zones)

    # -- venue ---------------------------------------------------------------------------------------
    @property
    def tz(self) -> str:
        """The venue's time zone (its settings, see ``store.adopt_stored_tz``): the one the desk numbers cases by."""
        if self._tz_override:
            return self._tz_override
        if not self._tz_checked:
            store.adopt_stored_tz(self.db)
            self._tz_checked = True
        return load_settings(self.db).timezone

    def set_tz(self, name: str) -> str:
        venue_zone(name)
        save_settings({"timezone": name}, self.db)
        self._tz_override = None
        return name

    # -- programmes ----------------------------------------------------------------------------------
    def create_programme(self, name: str, items: list[ItemSpec], *, priority=Priority.PROGRAMME,
                         zones=("main",), background: bool = False, description: str = "",
                         who=None) -> ProgrammeView:
        name = programme_name(name, items)
        with self.db.session() as s:
            user = _may_schedule(s, who, action="create programmes")
            prio, zone_text = _priority(priority, user), _zones(s, zones, self.venue_zones)
            if s.scalar(select(Programme.id).where(Programme.name == name)) is not None:
                raise ValidationError(f"name: a programme called {name!r} already exists")
            prog = Programme(name=name, priority=prio, zones=zone_text, background=background,
                             description=description)
            prog.items = [self._item(s, n, it) for n, it in enumerate(items)]
            if background:
                for other in s.scalars(select(Programme).where(Programme.background.is_(True))):
                    other.background = False
            s.add(prog)
            s.flush()
            return self._view(s, prog)

    def _item(self, s: Session, n: int, it: ItemSpec) -> ProgrammeItem:
        where = f"items[{n}]"
        try:
            kind = ItemKind(it.kind)
        except ValueError:
            raise ValidationError(f"{where}.kind: unknown item kind {it.kind!r}; use "
                                  + ", ".join(k.value for k in ItemKind)) from None
        row = ProgrammeItem(position=n, kind=kind)
        if kind is ItemKind.ANNOUNCEMENT:
            if not it.announcement_id:
                raise ValidationError(f"{where}.announcement_id: an announcement item needs an id")
            if announcement_state(s, it.announcement_id) is None:
                raise ValidationError(f"{where}.announcement_id: no announcement #{it.announcement_id}")
            row.announcement_id = it.announcement_id
        elif kind is ItemKind.RECORDING:
            try:
                row.path = str(probe(it.path or "").path)
            except AudioError as exc:
                raise ValidationError(f"{where}.path: {exc}") from None
            levels.soon(self.db, [row.path])  # its gain measured in the background, kept by its content
        elif kind is ItemKind.PLAYLIST:
            rec = s.scalar(select(PlaylistRecord).where(PlaylistRecord.name == (it.playlist or "")))
            if rec is None:
                raise ValidationError(f"{where}.playlist: no playlist called {it.playlist!r}")
            if it.seconds is not None and it.seconds <= 0:
                raise ValidationError(f"{where}.seconds: duration limit must be > 0, got {it.seconds}")
            row.playlist_id, row.seconds = rec.id, it.seconds
        elif kind is ItemKind.SILENCE:
            if not it.seconds or it.seconds <= 0 or it.seconds > 3600:
                raise ValidationError(f"{where}.seconds: silence must be 0-3600 s, got {it.seconds!r}")
            row.seconds = float(it.seconds)
        else:
            chime = it.chime or "programme"
            if chime not in CHIMES:
                raise ValidationError(f"{where}.chime: unknown chime {chime!r}; use {', '.join(CHIMES)}")
            row.chime = chime
        return row

    def _view(self, s: Session, p: Programme) -> ProgrammeView:
        items = []
        for it in p.items:
            tracks: tuple[Track, ...] = ()
            pl_name, shuffle, xf = None, False, 3.0
            if it.kind is ItemKind.PLAYLIST and it.playlist_id is not None:
                rec = s.get(PlaylistRecord, it.playlist_id)
                if rec is not None:
                    pl_name, shuffle, xf = rec.name, rec.shuffle, rec.crossfade_s
                    tracks = tuple(tracks_of(rec))
            elif it.kind is ItemKind.RECORDING and it.path:
                try:
                    tracks = (probe(it.path),)
                except AudioError:
                    tracks = ()
            items.append(ItemView(it.kind.value, it.announcement_id, it.path, pl_name, it.seconds, it.chime,
                                  tracks, shuffle, xf))
        return ProgrammeView(p.id, p.name, p.priority, p.zone_list, p.background, tuple(items), p.description)

    def programme(self, ref: str | int) -> ProgrammeView:
        with self.db.session() as s:
            p = s.get(Programme, ref) if isinstance(ref, int) else s.scalar(
                select(Programme).where(Programme.name == ref))
            if p is None:
                raise NotFound(f"no programme {ref!r}")
            return self._view(s, p)

    def list_programmes(self) -> list[ProgrammeView]:
        with self.db.session() as s:
            return [self._view(s, p) for p in s.scalars(select(Programme).order_by(Programme.name))]

    def background(self) -> ProgrammeView | None:
        with self.db.session() as s:
            p = s.scalar(select(Programme).where(Programme.background.is_(True)))
            return self._view(s, p) if p else None

    def check_approved(self, programme: ProgrammeView) -> None:
        """Raise :class:`NotApproved` naming the first announcement that is not approved now."""
        with self.db.session() as s:
            for aid in programme.announcement_ids:
                state = announcement_state(s, aid)
                if not approval_in_force(s, aid):
                    what = "no longer exists" if state is None else f"is {state!r}"
                    raise NotApproved(f"announcement #{aid} in programme {programme.name!r} {what}, "
                                      "not approved; a supervisor must approve it before scheduling")

    # -- rules ---------------------------------------------------------------------------------------
    def add_rule(self, programme: str | int, spec: RuleSpec, *, zones=None, priority=None,
                 source: str = "", who=None, replaces: int | None = None) -> int:
        """Schedule ``programme``; with ``replaces``, the new rule takes that one's place in the same
        transaction (an edit: refused, it leaves the old rule as it was)."""
        spec.validate()
        prog = self.programme(programme)
        self.check_approved(prog)
        with self.db.session() as s:
            user = _may_schedule(s, who, action="change the schedule")
            if replaces is not None:
                s.delete(store.stored_rule(s, replaces))
            rule = store.rule_row(spec)
            rule.programme_id = prog.id
            rule.zones = _zones(s, zones, self.venue_zones) if zones else None
            rule.priority = _priority(priority, user) if priority is not None else None
            rule.source = source[:255]
            s.add(rule)
            s.flush()
            self.db.signals.send(s, CHANGED)  # the leader's scheduler re-plans at once, on any machine
            return rule.id

    def remove_rule(self, rule_id: int, *, who=None) -> None:
        with self.db.session() as s:
            _may_schedule(s, who, action="change the schedule")
            s.delete(store.stored_rule(s, rule_id))
            self.db.signals.send(s, CHANGED)

    def rules(self, *, enabled_only: bool = False) -> list[ScheduledRule]:
        with self.db.session() as s:
            q = select(ScheduleRule).order_by(ScheduleRule.id)
            if enabled_only:
                q = q.where(ScheduleRule.enabled.is_(True))
            return [store.scheduled_rule(r) for r in s.scalars(q)]

    def add_closed_day(self, day: date, reason: str = "", *, who=None) -> None:
        with self.db.session() as s:
            _may_schedule(s, who, action="change the schedule")
            if s.get(ClosedDay, day) is not None:
                raise ValidationError(f"day: {day} is already a closed day")
            s.add(ClosedDay(day=day, reason=reason))
            self.db.signals.send(s, CHANGED)

    def closed_days(self) -> dict[date, str]:
        with self.db.session() as s:
            return {c.day: c.reason for c in s.scalars(select(ClosedDay).order_by(ClosedDay.day))}

    # -- expansion -----------------------------------------------------------------------------------
    def expand(self, start: date, end: date) -> list[Slot]:
        return expand(self.rules(enabled_only=True), start, end, self.tz, self.closed_days())

    def slots_between(self, start: datetime, end: datetime) -> list[Slot]:
        """Slots with ``start < at <= end`` (aware datetimes)."""
        zone = venue_zone(self.tz)
        d0 = start.astimezone(zone).date() - timedelta(days=1)
        d1 = end.astimezone(zone).date() + timedelta(days=1)
        return [s for s in self.expand(d0, d1) if start < s.at <= end]

    # -- missed slots --------------------------------------------------------------------------------
    def record_missed(self, slot: Slot, reason: str) -> bool:
        """Log a missed slot once (by uid). Returns False if it was already logged."""
        try:
            with self.db.session() as s:
                return store.log_missed(s, slot.uid, slot.at, slot.programme_id, slot.programme, slot.rule_id,
                                        reason)
        except IntegrityError:  # logged concurrently by the other path (listener vs start-up check)
            return False

    def missed(self) -> list[MissedSlot]:
        with self.db.session() as s:
            return list(s.scalars(select(MissedSlot).order_by(MissedSlot.slot_at)))

    def get_setting(self, key: str) -> str | None:
        with self.db.session() as s:
            return store.get_setting(s, key)


def announcement_state(s: Session, announcement_id: int) -> str | None:
    """State of an announcement, or None if there is no such announcement."""
    ann = s.get(Announcement, announcement_id)
    return None if ann is None else ann.state.value


def approval_in_force(s: Session, announcement_id: int) -> bool:
    """An approved version is in force (having aired does not void an approval; an edit awaiting
    approval leaves the approved version in force)."""
    ann = s.get(Announcement, announcement_id)
    return ann is not None and versions.in_force(s, ann)

