"""Shift handover (交接班): the outgoing staff start a handover of the open cases, the items held and
notes, with a checklist in which each line is ticked (√) or crossed (×). The PA lines are run by the
system: each zone's player answers (its heartbeat in the ``players`` table, and its device), the speech
engines speak every venue language (a short text rendered afresh), and on request a test tone plays in a
zone (a chime airing written like every other airing). The outgoing staff sign first, with their own
login, then the incoming staff with theirs; neither can sign while a line is unchecked or crossed
without an explanation, and after the outgoing signature the checklist no longer changes.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from broadcaster.cases.staff import DESK_ROLES, Actor, session_as
from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import FieldErrors, InvalidTransition, NotFound
from broadcaster.inputs import DB_ID_MAX, parse
from broadcaster.inputs_cases import HandoverLine, HandoverStart
from broadcaster.onair import airings
from broadcaster.priorities import Priority
from broadcaster.store.db import Database
from broadcaster.store.models.cases import LostItem, LostItemState, PersonCase
from broadcaster.store.models.desk import (CheckResult, Complaint, Handover, HandoverCheck, Incident,
                                           IncidentState)
from broadcaster.store.models.onair import Airing, AiringState, PlayerStatus

log = logging.getLogger(__name__)

#: the staff's own lines (from the manuals' handover rules)
MANUAL_LINES = ("desk_tidy", "log_read", "keys", "lost_store", "radios")
SAMPLE_TEXT = {"zh-CN": "交接班广播检查。", "zh-TW": "交接班廣播檢查。", "en": "Shift handover check."}
PLAYER_SILENT_S = 5.0   # a heartbeat older than this: the player does not answer
TONE_WAIT = timedelta(minutes=2)
NOT_DONE = (AiringState.FAILED, AiringState.EXPIRED, AiringState.INTERRUPTED, AiringState.CANCELLED)
UNCHECKED = "Not checked yet."
UNEXPLAINED = "Crossed: say why, or what was done about it."


def load(s: Session, handover_id: int) -> Handover:
    if not 1 <= int(handover_id) <= DB_ID_MAX:
        raise NotFound(f"no such handover: {handover_id}")
    h = s.scalar(select(Handover).options(selectinload(Handover.checks), selectinload(Handover.outgoing),
                                          selectinload(Handover.incoming))
                 .where(Handover.id == int(handover_id)))
    if h is None:
        raise NotFound(f"no such handover: {handover_id}")
    return h


def snapshot(s: Session) -> tuple[str, str]:
    """What is open and what is held now, one line each, in the staff's numbers."""
    from broadcaster.cases.complaints import OPEN as OPEN_COMPLAINTS
    from broadcaster.cases.missing import RESOLVED

    lines = [f"{c.number} {c.state.value}" for c in
             s.scalars(select(PersonCase).where(PersonCase.state.not_in(list(RESOLVED))).order_by(PersonCase.id))]
    lines += [f"{c.number} {c.state.value}" for c in
              s.scalars(select(Complaint).where(Complaint.state.in_(OPEN_COMPLAINTS)).order_by(Complaint.id))]
    lines += [f"{i.number} {i.state.value}" for i in
              s.scalars(select(Incident).where(Incident.state != IncidentState.CLOSED).order_by(Incident.id))]
    held = [f"{i.number} {i.category} @ {i.storage_place}" for i in
            s.scalars(select(LostItem).where(LostItem.state == LostItemState.STORED).order_by(LostItem.id))]
    return "\n".join(lines), "\n".join(held)


class HandoverService:
    def __init__(self, db: Database, clock: Clock | None = None, *, zones: Sequence[str] = ("main",),
                 languages: Sequence[str] = ("zh-CN", "en"), renderer=None) -> None:
        self.db, self.clock = db, clock or SystemClock()
        self.zones, self.languages, self.renderer = tuple(zones), tuple(languages), renderer

    def start(self, who: Actor, values: dict) -> Handover:
        v = parse(HandoverStart, values)
        shift, items, notes = v.shift, v.items_held or "", v.notes or ""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="start a shift handover") as (s, user):
            open_cases, held = snapshot(s)
            h = Handover(shift=shift, open_cases=open_cases, items_held="\n".join(x for x in (held, items) if x),
                         notes=notes, created_at=now, outgoing_id=user.id)
            s.add(h)
            s.flush()
            lines = [(line, False) for line in MANUAL_LINES]
            lines += [(f"player:{z}", True) for z in self.zones] + [(f"speech:{lang}", True) for lang in self.languages]
            lines += [(f"tone:{z}", True) for z in self.zones]
            s.add_all(HandoverCheck(handover_id=h.id, line=line, by_system=system, detail="", explanation="")
                      for line, system in lines)
        return self.get(h.id)

    # -- the PA check, run by the system -----------------------------------------------------------
    def run_pa_check(self, handover_id: int, who: Actor) -> Handover:
        """Ask every zone's player and every venue language's speech engine; tick or cross each line."""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="run the PA check") as (s, user):
            h = self._open(s, handover_id)
            players = list(s.scalars(select(PlayerStatus)))
            for check in h.checks:
                kind, _, what = check.line.partition(":")
                if kind == "player":
                    result, detail = self._player(players, what, now)
                elif kind == "speech":
                    result, detail = self._speech(what)
                else:
                    continue
                check.result, check.detail, check.checked_at, check.checked_by_id = result, detail, now, user.id
        return self.get(handover_id)

    @staticmethod
    def _player(players: list[PlayerStatus], zone: str, now: datetime) -> tuple[CheckResult, str]:
        mine = [p for p in players if zone in (p.zones or [])]
        if not mine:
            return CheckResult.CROSS, "no player for this zone"
        for p in sorted(mine, key=lambda p: p.heartbeat_at, reverse=True):
            if p.stopped or (now - p.heartbeat_at).total_seconds() > PLAYER_SILENT_S:
                continue
            device = (p.now or {}).get(zone, {})
            if device.get("device_ok") is False:
                return CheckResult.CROSS, "the player answers, its sound device has a fault"
            return CheckResult.OK, "the player answers"
        return CheckResult.CROSS, "the player does not answer"

    def _speech(self, lang: str) -> tuple[CheckResult, str]:
        if self.renderer is None:
            return CheckResult.CROSS, "no speech engine in this installation"
        text = SAMPLE_TEXT.get(lang) or SAMPLE_TEXT.get(lang.split("-")[0], "Test.")
        try:
            speech = self.renderer.chain.speak(text, lang)  # the engine itself, not a cached render
        except Exception as exc:  # noqa: BLE001 - any engine failure is what the check reports
            log.warning("handover speech check in %s failed: %s", lang, exc)
            return CheckResult.CROSS, "could not speak"
        pcm = speech.pcm
        if pcm.duration < 0.3 or pcm.peak < 0.01:
            return CheckResult.CROSS, "only silence"
        return CheckResult.OK, "speaks"

    def test_tone(self, handover_id: int, who: Actor, zone: str) -> Handover:
        """A short chime in ``zone``, written as an airing; its line follows what became of it."""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="play a test tone") as (s, user):
            h = self._open(s, handover_id)
            check = next((c for c in h.checks if c.line == f"tone:{zone}"), None)
            if check is None:
                raise FieldErrors({"zone": "Choose one of the list."})
            key = f"handover:{h.id}:tone:{zone}:{sum(1 for _ in s.scalars(select(Airing.id).where(Airing.ref == f'handover:{h.id}')))}"
            rows = airings.request(s, airings.Request(
                key=key, ref=f"handover:{h.id}", kind="announcement", title="Test tone (shift handover)",
                zones=[zone], priority=int(Priority.PROGRAMME), pieces=[{"type": "chime", "name": "announcement"}],
                not_after=now + TONE_WAIT, requested_by=user.name), self.db.signals, at=now)
            check.airing_id, check.result, check.detail = rows[0].id, None, "waiting to air"
            check.checked_at, check.checked_by_id = now, user.id
        return self.get(handover_id)

    @staticmethod
    def follow_tones(s: Session, h: Handover) -> None:
        """Tone lines follow their airing: aired to the end -> ticked; failed, expired, cut -> crossed."""
        for check in h.checks:
            if check.airing_id is None or check.result is not None:
                continue
            row = s.get(Airing, check.airing_id)
            if row is None:
                continue
            if row.state is AiringState.DONE:
                check.result, check.detail = CheckResult.OK, "aired"
            elif row.state in NOT_DONE:
                check.result, check.detail = CheckResult.CROSS, "did not air"

    # -- the staff's part --------------------------------------------------------------------------
    def mark(self, handover_id: int, who: Actor, check_id: int, values: dict) -> Handover:
        """Tick or cross one of the staff's own lines, or explain a cross (any line)."""
        v = parse(HandoverLine, values)
        result, explanation = CheckResult(v.result) if v.result else None, v.explanation or ""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="check a handover line") as (s, user):
            h = self._open(s, handover_id)
            check = next((c for c in h.checks if c.id == int(check_id)), None)
            if check is None:
                raise NotFound(f"no such line on handover {h.id}")
            if result is not None and check.by_system:
                raise InvalidTransition("the system ticks or crosses the PA lines: run the check again")
            if result is not None:
                check.result = result
            check.explanation = explanation
            check.checked_at, check.checked_by_id = now, user.id
        return self.get(handover_id)

    def sign(self, handover_id: int, who: Actor) -> Handover:
        """Sign as the outgoing staff (who started it), then as the incoming staff (someone else)."""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="sign a shift handover") as (s, user):
            h = load(s, handover_id)
            if h.incoming_signed_at is not None:
                raise InvalidTransition(f"handover {h.id} is signed by both sides")
            if h.outgoing_signed_at is None:
                if user.id != h.outgoing_id:
                    raise InvalidTransition("the outgoing staff who started the handover sign first")
                self.follow_tones(s, h)
                self._check_clean(h)
                h.outgoing_signed_at = now
            else:
                if user.id == h.outgoing_id:
                    raise InvalidTransition("the incoming staff sign with their own login")
                self._check_clean(h)
                h.incoming_id, h.incoming_signed_at = user.id, now
        return self.get(handover_id)

    @staticmethod
    def _check_clean(h: Handover) -> None:
        problems = {}
        for check in h.checks:
            if check.line.startswith("tone:") and check.airing_id is None:
                continue  # a test tone only on request
            if check.result is None:
                problems[f"check-{check.id}"] = UNCHECKED
            elif check.result is CheckResult.CROSS and not check.explanation.strip():
                problems[f"check-{check.id}"] = UNEXPLAINED
        if problems:
            raise FieldErrors(problems)

    def _open(self, s: Session, handover_id: int) -> Handover:
        h = load(s, handover_id)
        if h.outgoing_signed_at is not None:
            raise InvalidTransition(f"handover {h.id} is signed: its checklist no longer changes")
        return h

    # -- reading -----------------------------------------------------------------------------------
    def get(self, handover_id: int) -> Handover:
        with self.db.session() as s:
            h = load(s, handover_id)
            if h.outgoing_signed_at is None:
                self.follow_tones(s, h)
            return h

    def list(self, limit: int = 50) -> list[Handover]:
        with self.db.session() as s:
            return list(s.scalars(select(Handover).options(selectinload(Handover.outgoing),
                                                           selectinload(Handover.incoming))
                                  .order_by(Handover.id.desc()).limit(limit)))
