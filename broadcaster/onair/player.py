"""A zone player: owns the sinks of its zones, claims their airings from the database, airs them and
reports back.

Fetch -> queue -> push, as in LibreTime's playout: the player fetches the top queued airings of its
zones (on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two players never take one row), hands them to its
playout engine (which mixes, ducks and pre-empts within one audio block), and writes every engine
event through :mod:`broadcaster.onair.outcomes`. It claims only what it is about to air: when a zone
is idle, one item ahead of the current one, or anything that out-ranks what it holds. The rest stays in
the database, where every panel sees it waiting and any player of the zone may take it.

It wakes on a database signal (in memory on one box, LISTEN/NOTIFY on PostgreSQL), on its own engine's
events, and every ``poll_s`` (work written by another process on SQLite). Its heartbeat and what it airs
are written on change and every ``HEARTBEAT_S``.
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from typing import Callable

from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError

from audio.chimes import KINDS
from broadcaster import logs
from broadcaster.clock import Clock, SystemClock
from broadcaster.onair import outcomes
from broadcaster.onair.airings import CHANNEL
from broadcaster.onair.engine import PlayoutEngine
from broadcaster.onair.items import PlayoutEvent, PlayoutItem
from broadcaster.onair.pieces import HashMismatch, MediaSource, Speech, build
from broadcaster.store.models.onair import Airing, AiringState, PlayerStatus

log = logging.getLogger(__name__)
RECHECK_S = 1.0     # a last check that could not reach the database is tried again after this
HEARTBEAT_S = 1.0    # a player writes its heartbeat at least this often (lost after leader.LOST_AFTER_S)
LOOK_S = 1.0         # how often a step runs the player's ``every_second`` calls (the venue settings' version)
Gate = Callable[[object, Airing], None]  # (session, airing) -> None, raises to refuse at air time
_gates: dict[str, Gate] = {}


def gate(kind: str, check: Gate) -> None:
    """Register the area's last check before an airing of ``kind`` goes on air (e.g. the announcement
    is still approved with this audio; the case is not resolved). Raise to refuse."""
    _gates[kind] = check


class Refused(Exception):
    pass


class Settled(threading.Event):
    """Set while the player has handed over all that was queued for its zones; ``cleared_at``: when it
    was last cleared from set (the start of the claim the panel gives way to, however many commits
    come meanwhile)."""
    cleared_at = 0.0

    def clear(self) -> None:
        if self.is_set():
            self.cleared_at = time.monotonic()
        super().clear()


class ZonePlayer:
    def __init__(self, db, sinks: dict, media: MediaSource, *, name: str | None = None,
                 speech: Speech | None = None, clock: Clock | None = None, poll_s: float = 0.2,
                 duck_music: bool = True) -> None:
        self.db, self.media, self.speech = db, media, speech
        self.clock = clock or SystemClock()
        self.name = name or f"{socket.gethostname()}:{'+'.join(sinks)}"
        self.zones = tuple(sinks)
        self.poll_s = poll_s
        self.engine = PlayoutEngine(sinks, clock=self.clock, duck_music=duck_music,
                                    on_fault=lambda zone, exc: self._note(("fault", zone, str(exc))),
                                    on_recovered=lambda zone: self._note(("back", zone, "")))
        self.engine.listeners.append(self._note)
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._pending: list = []  # taken from the inbox, not yet committed
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._held: dict[int, int] = {}  # airing id -> engine item id
        self._music: dict[int, object] = {}  # airing id -> its music stream (its progress goes on the row)
        self._dropped: set[int] = set()   # engine item ids dropped when declared lost
        self._thread: threading.Thread | None = None
        self._last_beat = 0.0
        self._changed = True
        self._lock = threading.Lock()  # one step at a time (loop thread, tests calling step())
        # cleared from a commit that queued or cancelled airings of its zones until a step has claimed
        # them and handed them over: the panel's threads wait for it (commands.serve.give_way)
        self.settled = Settled()
        self.settled.set()
        self._queued_n = 0
        self.on_stop: list[Callable[[], object]] = []  # after the engine stopped (the air log stores its last files)
        # once a second, after a step's bookkeeping (a change of the venue's sound settings adopted)
        self.every_second: list[Callable[[], object]] = []
        self._look_at = 0.0

    # -- life cycle -------------------------------------------------------------------------------
    def start(self, *, thread: bool = True) -> "ZonePlayer":
        now = self.clock.now()
        with self.db.session() as s:
            status = s.get(PlayerStatus, self.name) or PlayerStatus(name=self.name)  # new: added below
            last = status.heartbeat_at if status.heartbeat_at and not status.stopped else now
            outcomes.release(s, self.name, min(last, now), "player restarted")
            s.add(status)
            status.zones, status.host, status.pid = list(self.zones), socket.gethostname(), os.getpid()
            status.started_at = status.heartbeat_at = now
            status.now, status.stopped = self.engine.snapshot(limit=5), False
            for zone in self.zones:
                logs.resolve_open(s, "player_lost", zone, f"player {self.name} is back")
        for name in KINDS:  # generated and levelled now: the first page after start-up does not wait for it
            self.media.chime(name)
        self.db.signals.listen(CHANNEL, self._queued, self.zones)
        self.engine.start()
        if thread:
            self._thread = threading.Thread(target=self._loop, name=f"player-{self.name}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
        self.db.signals.unlisten(CHANNEL, self._queued)
        self.settled.set()  # nothing more is claimed: the panel does not wait
        self.engine.stop()
        for done in self.on_stop:
            done()
        now = self.clock.now()
        cut = {item.meta["airing_id"]: item.meta["pieces"] for item in self.engine.on_air() if "airing_id" in item.meta}
        try:
            with self._lock, self.db.session() as s:
                self._write_events(s)
                self._pending.clear()
                self._progress(s)
                outcomes.release(s, self.name, now, "player stopped", pieces=cut)  # its speech, where known
                status = s.get(PlayerStatus, self.name)
                if status is not None:
                    status.stopped, status.heartbeat_at, status.now = True, now, {}
        except Exception:
            log.exception("player %s: could not say goodbye", self.name)

    def retire(self, zones) -> None:
        """No longer play ``zones`` (removed from the venue, or played elsewhere now): what this player holds
        there comes off the air (logged as cancelled), nothing new is claimed for them, and the players' table
        no longer names them (so an airing written for a zone the venue removed is refused)."""
        with self._lock:
            self.zones = tuple(z for z in self.zones if z not in set(zones))
            with self.db.session() as s:
                self._announce(s)
                for airing_id in s.scalars(select(Airing.id).where(Airing.id.in_(list(self._held)),
                                                                   Airing.zone.in_(list(zones)))).all():
                    self.engine.cancel(self._held.pop(airing_id))

    def reinstate(self, zones) -> None:
        """Play ``zones`` again (retired, then given back to the venue): its device was kept open, so what
        is written for them is claimed from the next step, and the players' table names them again."""
        with self._lock:
            self.zones = (*self.zones, *(z for z in zones if z not in self.zones))
            with self.db.session() as s:
                self._announce(s)

    def _announce(self, s) -> None:
        status = s.get(PlayerStatus, self.name)
        if status is not None:
            status.zones = list(self.zones)

    def _loop(self) -> None:
        from broadcaster.store.reach import Outage

        outage = Outage(log, f"player {self.name}")  # the database away: one line when it goes, one when back
        while not self._stop.is_set():
            self._wake.wait(self.poll_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.step()
            except Exception as exc:
                if not outage.failed(exc):
                    log.exception("player %s: step failed", self.name)
                self._stop.wait(0.5)
            else:
                outage.ok()

    # -- one step: what the air needs first (stop what was cancelled, claim), then report and beat ------
    def step(self) -> None:
        with self._lock:
            queued = self._queued_n
            try:
                with self.db.session() as s:
                    self._rejoin(s)
                    self._stop_cancelled(s)
                    claimed = self._claim(s)
            except BaseException:
                self.settled.set()  # claimed nothing: the panel does not wait for a retry
                raise
            for row, item in claimed:  # claimed and checked: now on the engine
                self._held[row] = self.engine.submit(item)
                if item.kind == "music":
                    self._music[row] = item.parts[0]
            if queued == self._queued_n:  # nothing queued since the claim read the queue
                self.settled.set()
            if claimed:
                self._changed = True
            with self.db.session() as s:  # then the bookkeeping, after the audio has what it needs
                self._write_events(s)
                self._beat(s)
            self._pending.clear()  # committed
        if self.every_second and time.monotonic() >= self._look_at:  # (outside the step's lock: one may retire
            self._look_at = time.monotonic() + LOOK_S                 # zones, which takes it)
            for call in self.every_second:
                call()

    def _queued(self) -> None:  # the thread that committed
        self._queued_n += 1
        self.settled.clear()
        self._wake.set()

    def _note(self, ev: PlayoutEvent | tuple) -> None:  # engine threads: never the database here
        self._inbox.put(ev)
        self._wake.set()

    def _write_events(self, s) -> None:
        """Write what the engine reported. Events stay pending until their transaction commits (a
        database that is briefly away loses none), and one event a listener cannot write is logged and
        skipped in its own savepoint rather than costing the others."""
        while not self._inbox.empty():  # one reader (under self._lock): what empty() saw is there to get
            self._pending.append(self._inbox.get_nowait())
        if not self._pending:
            return
        if not self.db.is_postgres:  # SQLite: take the write lock before reading (a read first and a
            s.execute(update(PlayerStatus).where(PlayerStatus.name == self.name)  # write later fails
                      .values(heartbeat_at=self.clock.now()))                     # at once, not waits)
        # rows in id order (an airing's own events keep their order): as a cancel locks them
        self._pending.sort(key=lambda ev: 0 if isinstance(ev, tuple) else ev.item.meta.get("airing_id") or 0)
        for ev in self._pending:
            self._changed = True
            try:
                with s.begin_nested():
                    self._write_event(s, ev)
            except OperationalError:
                raise  # the database is busy or away: the whole step is retried, nothing is lost
            except Exception:
                log.exception("player %s: could not record %r", self.name, ev)

    def _write_event(self, s, ev) -> None:
        if isinstance(ev, tuple) and ev[0] == "speech":  # (speech, as-run row, its pieces): rendered
            outcomes.speech_rendered(s, ev[1], ev[2])                 # after the row ended
            return
        if isinstance(ev, tuple):
            what, zone, text = ev
            if what == "fault":
                logs.raise_fault(s, "device_lost", f"zone {zone}: {text}", zone=zone)
            else:
                logs.resolve_open(s, "device_lost", zone, "device back; playout resumed")
            return
        airing_id = ev.item.meta.get("airing_id")
        if airing_id is None or ev.item_id in self._dropped:  # given back when declared lost: not ours
            return
        done = outcomes.record(s, airing_id, ev.kind, ev.at, detail=ev.detail, pieces=ev.item.meta["pieces"],
                               retries=ev.retries, player=self.name, mismatch=isinstance(ev.error, HashMismatch))
        if ev.kind in ("completed", "failed", "refused", "expired", "cancelled") or (done and done.final):
            item_id = self._held.pop(airing_id, None)
            if ev.kind == "started" and item_id is not None:  # cancelled as it started: stop it now
                self.engine.cancel(item_id)
        if done is not None and done.run is not None and ev.kind != "completed":
            self._name_speech_when_rendered(done.run.id, ev.item.meta)

    def _name_speech_when_rendered(self, run_id: int, meta: dict) -> None:
        """An as-run row ended while its speech may still render (cut, cancelled, pre-empted: a page
        that airs in full has rendered it all): once every speech of the item has rendered, its row is
        written again naming them (a render already done is written at the next step, harmlessly)."""
        rendering = meta.get("rendering") or []

        def rendered(_f) -> None:  # on the render pool (or here, when already done)
            if all(f.done() for f in rendering):
                self._note(("speech", run_id, meta["pieces"]))
        for f in rendering:
            f.add_done_callback(rendered)

    def _rejoin(self, s) -> None:
        """Declared lost meanwhile (a network cut, a long stall): the leader gave back what this player
        held and wrote its outcome. Drop it from the engine without a word (its events would otherwise
        land on rows this player claims again) and take part again, before claiming anything."""
        status = s.get(PlayerStatus, self.name, populate_existing=True)
        if status is None or not status.stopped:
            return
        log.warning("player %s was declared lost; dropping what it held", self.name)
        for item_id in self._held.values():
            self._dropped.add(item_id)
            self.engine.cancel(item_id)
        self._held.clear()
        status.stopped, status.heartbeat_at = False, self.clock.now()
        for zone in self.zones:  # heard again: its "player lost" is over, as when it restarts
            logs.resolve_open(s, "player_lost", zone, f"player {self.name} is back")

    def _stop_cancelled(self, s) -> None:
        if not self._held:
            return
        for airing_id in s.scalars(select(Airing.id).where(Airing.id.in_(list(self._held)),
                                                           Airing.state == AiringState.CANCELLED)).all():
            self.engine.cancel(self._held.pop(airing_id))

    def _claim(self, s) -> list[tuple[int, PlayoutItem]]:
        """Claim, in one query and one update for all this player's zones, what each zone is about to
        air: the top foreground item when the zone holds nothing waiting (else only one that out-ranks
        what it holds), and music when it has none. What airs at once (an idle zone, a pre-emption)
        has its last check here, before the claim commits; what waits behind the current item is
        checked by the engine when its turn comes."""
        now = self.clock.now()
        wants: dict[tuple[str, bool], int | None] = {}  # (zone, music?) -> priority to beat (None: any)
        tops: dict[str, int | None] = {}
        for zone in self.zones:
            top, waiting, music = self.engine.load(zone)
            wants[(zone, False)] = top if waiting else None
            tops[zone] = top
            if not music:
                wants[(zone, True)] = None
        q = (select(Airing.id, Airing.zone, Airing.kind, Airing.priority, Airing.not_before, Airing.not_after)
             .where(Airing.state == AiringState.QUEUED, Airing.player.is_(None), Airing.zone.in_(self.zones))
             .order_by(Airing.priority.desc(), Airing.id))
        if self.db.is_postgres:
            q = q.with_for_update(skip_locked=True, of=Airing)  # rows another player is taking: skipped
        chosen = []
        for row in s.execute(q):
            key = (row.zone, row.kind == "music")
            if key not in wants or (wants[key] is not None and row.priority <= wants[key]):
                continue
            if row.not_before is not None and row.not_before > now:
                continue
            if row.not_after is not None and row.not_after < now:
                outcomes.record(s, row.id, "expired", now, detail=f"not after {row.not_after.isoformat()}")
                continue
            del wants[key]
            chosen.append(row.id)
        if not chosen:
            return []
        taken = s.scalars(update(Airing).where(Airing.id.in_(chosen), Airing.player.is_(None),
                                               Airing.state == AiringState.QUEUED)
                          .values(player=self.name, claimed_at=now).returning(Airing)
                          .execution_options(synchronize_session=False, populate_existing=True)).all()
        out, now_items = [], []
        for row in sorted(taken, key=lambda row: row.id):
            top = None if row.kind == "music" else tops[row.zone]
            try:
                item = self._item(row)
            except Exception as exc:
                outcomes.record(s, row.id, "failed", now, detail=f"cannot build: {exc}",
                                mismatch=isinstance(exc, HashMismatch))
                continue
            out.append((row.id, item))
            if top is None or row.priority > top:  # airs at once: its last check now, in this transaction
                now_items.append(item)
        self._check_now(s, now_items)
        return out

    def _item(self, row: Airing) -> PlayoutItem:
        rendering: list = []
        parts, record, loads = build(row.pieces, self.media, self.speech, row.progress, rendering)
        airing_id, kind = row.id, row.kind

        def check(s=None) -> None:  # runs just before the first sample (and again after a restart from the top)
            while s is None:  # the engine's checker thread: the database away is waited for, not a refusal
                try:
                    with self.db.session() as own:
                        return check(own)
                except OperationalError as exc:
                    log.warning("player %s: %s: checking again when the database answers (%s)", self.name,
                                row.title, str(exc).splitlines()[0])
                    if self._stop.wait(RECHECK_S):
                        raise
            current = s.get(Airing, airing_id)
            if current is None or current.state is AiringState.CANCELLED:
                raise Refused("taken off the air")
            area_gate = _gates.get(kind)
            if area_gate is not None:
                area_gate(s, current)
            for load in loads:
                load()

        return PlayoutItem(priority=row.priority, title=row.title, parts=parts, zones=(row.zone,), kind=row.kind,
                           ref=row.ref, resumable=row.resumable, max_retries=max(0, row.max_retries - row.retries),
                           not_after=row.not_after, check=check,
                           meta={"airing_id": airing_id, "pieces": record, "rendering": rendering})

    def _check_now(self, s, items: list[PlayoutItem]) -> None:
        """The last check of what airs at once, in the claim's own transaction, just before it is
        handed over (a page for twelve zones: its page and case read once, not twelve times on the
        engine's checker threads). One that does not pass is left unchecked: the engine checks it
        again and refuses it."""
        loaded: list = []  # a session holds what it loaded weakly: kept here, the page and case read
        event.listen(s, "loaded_as_persistent", lambda _s, row: loaded.append(row))  # for the first zone
        for item in items:                                                            # serve all
            try:
                item.check(s)
            except OperationalError:
                raise  # the database is busy or away: the claim is rolled back and retried
            except Exception:
                continue
            item.checked_at = time.monotonic()

    def _beat(self, s) -> None:
        now = time.monotonic()
        if not self._changed and now - self._last_beat < HEARTBEAT_S:
            return
        self._last_beat, self._changed = now, False
        status = s.get(PlayerStatus, self.name)
        if status is not None and not status.stopped:
            status.heartbeat_at, status.now = self.clock.now(), self.engine.snapshot(limit=5)
        self._progress(s)
        self.media.venue_chime.refresh(s)  # here, so a claim never waits for it

    def _progress(self, s) -> None:
        """How far the music this player holds has aired, on its airings (with the heartbeat): a claim
        after this player stops or is lost carries on there."""
        for airing_id, stream in list(self._music.items()):
            if airing_id not in self._held:
                del self._music[airing_id]
            elif (at := stream.position()) is not None:
                s.execute(update(Airing).where(Airing.id == airing_id, Airing.player == self.name)
                          .values(progress={"track": at[0], "offset": round(at[1], 2)})
                          .execution_options(synchronize_session=False))

    @property
    def alive(self) -> bool:
        """Its loop runs (a step may be slow, waiting for the database or the CPU)."""
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

