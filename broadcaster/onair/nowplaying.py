"""What is on air, read from the database: the zone players' heartbeats (``players``: what each airs
now, its music, its device) and the airings still waiting in each zone.

Every panel process on every machine reads the same thing. A page written a moment ago shows as
waiting until a player starts it; a page whose player is lost still shows as waiting (its zone says the
player is not running), never as on air.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import func, select

from broadcaster.clock import utcnow
from broadcaster.store.models.onair import OPEN_STATES, Airing, AiringState, PlayerStatus

WAITING_SHOWN = 10  # per zone; the rest is counted


def _waiting(row, running: bool) -> dict:
    state = "waiting"
    if row.state is AiringState.AIRING:  # started, not on air now: cut by a higher priority (it resumes),
        state = "interrupted" if running else "unconfirmed"  # or its player stopped answering
    return {"id": row.id, "ref": row.ref, "kind": row.kind, "title": row.title, "priority": row.priority,
            "state": state, "player": row.player, "requested_at": row.requested_at.isoformat()}


def _zone(player: PlayerStatus | None, zone: str, running: bool) -> dict:
    snap = ((player.now or {}).get(zone) or {}) if player is not None and running else {}
    return {"player": player.name if player is not None else None, "running": running,
            "last_seen": player.heartbeat_at.isoformat() if player is not None else None,
            "device_ok": snap.get("device_ok") if running else None, "sink": snap.get("sink", ""),
            "now": snap.get("now"), "music": snap.get("music"), "music_gain": snap.get("music_gain", 1.0),
            "waiting": [], "waiting_count": 0}


def now_playing(db, stale_s: float = 5.0, *, at: datetime | None = None, zones: Iterable[str] = ()) -> dict:
    """zone -> {player, running, last_seen, device_ok, sink, now, music, music_gain, waiting,
    waiting_count}, for every zone a player announced and every zone in ``zones`` (the venue's).

    ``running`` is false when the zone has no player, its player said goodbye, or its heartbeat is
    older than ``stale_s``; then nothing is shown as on air there (``now`` and ``music`` are None and
    ``device_ok`` unknown). ``waiting`` lists the zone's open airings that are not on air now, highest
    priority first (``state`` "waiting"; "interrupted" for one cut by a higher priority that resumes;
    "unconfirmed" for one started by a player that stopped answering), the first ``WAITING_SHOWN``;
    ``waiting_count`` counts them all."""
    now = at or utcnow()
    fresh_after = now - timedelta(seconds=stale_s)
    out: dict[str, dict] = {}
    with db.session() as s:
        players = [(not p.stopped and p.heartbeat_at >= fresh_after, p) for p in s.scalars(select(PlayerStatus))]
        players.sort(key=lambda rp: (rp[0], rp[1].heartbeat_at))  # a zone's freshest running player comes last
        best = {zone: (running, p) for running, p in players for zone in p.zones or ()}
        for zone in sorted(set(best) | set(zones)):
            running, player = best.get(zone, (False, None))
            out[zone] = _zone(player, zone, running)
        fg = (Airing.state.in_(OPEN_STATES), Airing.kind != "music", Airing.zone.in_(list(out)))
        counts = dict(s.execute(select(Airing.zone, func.count()).where(*fg).group_by(Airing.zone)).all())
        if not counts:
            return out
        started = s.execute(select(Airing.zone, Airing.ref, func.count()).where(
            *fg, Airing.state == AiringState.AIRING).group_by(Airing.zone, Airing.ref)).all()
        # each zone's first rows in airing order, all zones in one query (one extra: the row on air)
        rank = func.row_number().over(partition_by=Airing.zone,
                                      order_by=(Airing.priority.desc(), Airing.id)).label("rank")
        ranked = select(Airing.id, Airing.zone, Airing.ref, Airing.kind, Airing.title, Airing.priority,
                        Airing.state, Airing.player, Airing.requested_at, rank).where(*fg).subquery()
        rows = s.execute(select(ranked).where(ranked.c.rank <= WAITING_SHOWN + 1)
                         .order_by(ranked.c.zone, ranked.c.rank)).all()
        for zone, info in out.items():
            on_air = {x["ref"] for x in (info["now"], info["music"]) if x}
            airing_now = sum(n for z, ref, n in started if z == zone and ref in on_air)
            waiting = [r for r in rows if r.zone == zone and not (r.state is AiringState.AIRING and r.ref in on_air)]
            info["waiting"] = [_waiting(r, info["running"]) for r in waiting[:WAITING_SHOWN]]
            info["waiting_count"] = counts.get(zone, 0) - airing_now
    return out


def health(zones: dict) -> dict:
    """One word for the panel's header ("ok", "fault": a device is down, "lost": a zone's player is not
    running, "absent": no zone has a player) and per zone its player, device and sink."""
    per = {z: {"player": i["player"], "running": i["running"], "device_ok": i["device_ok"], "sink": i["sink"]}
           for z, i in zones.items()}
    if not any(i["player"] for i in per.values()):
        word = "absent"
    elif not all(i["running"] for i in per.values()):
        word = "lost"
    elif not all(i["device_ok"] for i in per.values()):
        word = "fault"
    else:
        word = "ok"
    return {"players": word, "zones": per}
