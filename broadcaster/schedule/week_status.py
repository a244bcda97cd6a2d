"""What became of each past slot (aired, interrupted, missed or refused, with the reason: from the slot's
airings, the as-run log and the missed slots), and the next slots with those that will be refused
flagged before they come (an announcement no longer approved, an empty playlist, nothing to air)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from broadcaster.errors import NotFound
from broadcaster.schedule.programmes import approval_in_force
from broadcaster.schedule.rules import Slot
from broadcaster.store.models.onair import Airing, AiringState as A
from broadcaster.store.models.schedule import MissedSlot, ScheduleRule
from broadcaster.store.models.workflow import Announcement, AsRun

AIRED, INTERRUPTED, MISSED, REFUSED, ON_AIR, WAITING = "aired", "interrupted", "missed", "refused", "on_air", "waiting"


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str = ""  # as logged (for engineers: the missed slot and the fault log keep it)

    @property
    def cause(self) -> str:
        """The reason in a word the panel says in the staff's language: ``not_approved`` (refused at air
        time), ``not_running`` (no scheduler ran), ``too_late``, ``failed``, ``cut`` or ``not_written``."""
        r = self.reason.lower()
        if self.status == INTERRUPTED:
            return "cut"
        if "refused" in r or "hash" in r:
            return "not_approved"
        if "no scheduler running" in r:
            return "not_running"
        if "expired" in r or "late by" in r:
            return "too_late"
        if r.startswith("nothing was written"):
            return "not_written"
        return "failed" if r or self.status == REFUSED else ""


def past(service, slots: list[Slot], now: datetime) -> dict[str, Outcome]:
    """Each slot at or before ``now`` by its uid: what became of it."""
    done = [sl for sl in slots if sl.at <= now]
    if not done:
        return {}
    uids = [sl.uid for sl in done]
    with service.db.session() as s:
        rows: dict[str, list[Airing]] = {}
        for i in range(0, len(uids), 200):
            part = uids[i:i + 200]
            for a in s.scalars(select(Airing).where(or_(*(Airing.key.like(f"slot:{u}@%") for u in part)))):
                rows.setdefault(a.key[len("slot:"):].rsplit("@", 1)[0], []).append(a)
        missed = {m.slot_uid: m.reason for m in s.scalars(select(MissedSlot).where(MissedSlot.slot_uid.in_(uids)))}
        created = dict(s.execute(select(ScheduleRule.id, ScheduleRule.created_at).where(
            ScheduleRule.id.in_({sl.rule_id for sl in done if sl.rule_id}))).all())
        cut = {r.airing_id: r.detail for r in s.scalars(select(AsRun).where(
            AsRun.airing_id.in_([a.id for v in rows.values() for a in v]), AsRun.outcome == "interrupted"))}
    out: dict[str, Outcome] = {}
    for sl in done:
        uid = sl.uid
        states = {a.state for a in rows.get(uid, [])}
        reason = missed.get(uid, "")
        if not states and not reason and sl.rule_id in created and sl.at < created[sl.rule_id]:
            continue  # before its rule was written: it was never due
        if A.AIRING in states:
            out[uid] = Outcome(ON_AIR)
        elif A.QUEUED in states:
            out[uid] = Outcome(WAITING)
        elif A.INTERRUPTED in states:
            out[uid] = Outcome(INTERRUPTED, next((cut[a.id] for a in rows[uid] if a.id in cut), reason))
        elif states and states <= {A.DONE}:
            out[uid] = Outcome(AIRED)
        elif A.DONE in states:
            out[uid] = Outcome(AIRED, reason)  # aired in some zones
        elif reason.startswith("refused") or A.FAILED in states:
            out[uid] = Outcome(REFUSED, reason)
        else:
            out[uid] = Outcome(MISSED, reason or "nothing was written for this slot (was the system running?)")
    return out


def problems(service, programme_id: int | None) -> list[tuple[str, str]]:
    """Why a slot of this programme would be refused or air nothing now, as (what, its title):
    ``not_approved`` (an announcement), ``empty_playlist``, ``gone`` (the programme); [] = it would air."""
    try:
        prog = service.programme(programme_id)
    except NotFound:
        return [("gone", "")]
    out: list[tuple[str, str]] = []
    with service.db.session() as s:
        for it in prog.items:
            if it.kind == "announcement" and not approval_in_force(s, it.announcement_id):
                ann = s.get(Announcement, it.announcement_id)
                out.append(("not_approved", ann.title if ann else f"#{it.announcement_id}"))
            elif it.kind == "playlist" and not it.tracks:
                out.append(("empty_playlist", it.playlist or ""))
    return out


def next_slots(service, now: datetime, hours: float = 24) -> list[tuple[Slot, list[tuple[str, str]]]]:
    """The slots of the next ``hours``, each with what would make it refused ([] = it will air)."""
    slots = service.slots_between(now, now + timedelta(hours=hours))
    found = {pid: problems(service, pid) for pid in {sl.programme_id for sl in slots}}  # once per programme
    return [(sl, found[sl.programme_id]) for sl in slots]
