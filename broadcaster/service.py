"""The running broadcaster: one process owns the audio device(s) and runs the playout engine, the
scheduler, the paging loop and the web panel together (``broadcaster serve``)."""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from audio.chimes import chime
from audio.render import Renderer
from audio.sinks import NullSink, PortAudioSink, Sink, WavFileSink, list_devices, parse_device
from broadcaster import logs
from broadcaster.announcements.scripts import AnnouncementService
from broadcaster.announcements.approval import ApprovalService, renderer_for
from broadcaster.clock import Clock, SystemClock
from broadcaster.control import ALL, PAGING, STATION, Doorbell, SnapshotPublisher, run_dir
from broadcaster.store.db import Database
from broadcaster.errors import ValidationError
from broadcaster.store.media import MediaStore
from broadcaster.store.models.core import User
from broadcaster.onair.engine import PlayoutEngine
from broadcaster.settings import VenueSettings, load_settings, var_dir
from broadcaster.announcements.station import Station

log = logging.getLogger(__name__)


def build_sink(zone: str, spec: str, var: Path) -> Sink:
    """A sink for a zone (not opened: the engine opens it and retries while it is missing).
    The default device falls back to a real-time WAV recording when the machine has no audio device."""
    kind, _, arg = spec.partition(":")
    if kind == "device":
        if not arg:
            try:
                has_default = any(d["default"] for d in list_devices())
            except Exception:
                has_default = False
            if not has_default:
                path = var / f"air-{zone}.wav"
                log.warning("zone %s: no audio device here; airing into %s", zone, path)
                return WavFileSink(path, realtime=True)
            return PortAudioSink(None)
        return PortAudioSink(parse_device(arg))
    if kind == "wav" and arg:
        return WavFileSink(arg, realtime=True)
    if kind == "null":
        return NullSink(realtime=True)
    raise ValidationError(f"zone {zone}: unknown sink {spec!r}; use device, device:NAME, wav:PATH or null")


RING_GAP_S = 0.025  # in a burst of rings, the pages of this long share one tick


class BroadcastService:
    def __init__(self, *, db_url: str | None = None, zones: dict[str, str] | None = None,
                 settings: VenueSettings | None = None, clock: Clock | None = None,
                 scheduler: bool = True, tick_s: float = 1.0) -> None:
        self.settings = settings or load_settings()
        self.var = var_dir()
        self.clock = clock or SystemClock()
        self.db = Database(db_url)
        self.media = MediaStore()
        self.renderer = Renderer()
        self.zone_specs = dict(zones or self.settings.zones)
        sinks = {z: build_sink(z, spec, self.var) for z, spec in self.zone_specs.items()}
        self.engine = PlayoutEngine(sinks, clock=self.clock, duck_music=self.settings.duck_music,
                                    on_fault=self._device_fault, on_recovered=self._device_back)
        self.announcements = AnnouncementService(self.settings, self.media)
        self.approval = ApprovalService(renderer_for(self.renderer, self.media), self.media)
        self.station = Station(self.db, self.engine, self.approval, self.clock)
        self.paging = self._paging()
        self.schedule = self._scheduler() if scheduler else None
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._wake = threading.Event()  # rung by other processes (control.ring): tick now
        self._rung: set[str] = set()     # what the rings since the last tick asked for
        self._rung_lock = threading.Lock()
        self.run = run_dir(self.var)
        self.publisher = SnapshotPublisher(self.run, self.engine.snapshot)
        self.doorbell = Doorbell(self.run, self.ring)
        self._ticker: threading.Thread | None = None
        self._tts_faults: set[str] = set()
        self._music: tuple[int, int] | None = None  # (programme id, playout item id) of the background bed

    # -- wiring -------------------------------------------------------------------------------
    def _paging(self):
        from broadcaster.cases.pager import Pager
        from broadcaster.paging.paging import PagingService

        return PagingService.for_venue(self.db, self.clock, Pager.for_engine(self.engine, self.renderer),
                                       self.settings, tuple(self.engine.zones), on_escalation=self._escalation)

    def _scheduler(self):
        from broadcaster.schedule.bridge import PlayoutBridge
        from broadcaster.schedule.scheduler import ScheduleEngine

        self.bridge = PlayoutBridge(self.engine, announcement_audio=self._announcement_audio, chime_audio=chime)
        return ScheduleEngine(self.db, self.bridge.submit, self.bridge.render, clock=self.clock)

    def _announcement_audio(self, ann_id: int):
        with self.db.session() as s:
            return self.approval.verify_for_air(AnnouncementService.get(s, ann_id), self.clock.now())

    def _fault(self, kind: str, message: str, zone: str | None = None, ref: str | None = None) -> None:
        try:
            with self.db.session() as s:
                logs.raise_fault(s, kind, message, zone=zone, ref=ref)
        except Exception:
            log.exception("could not record fault %s: %s", kind, message)

    def _device_fault(self, zone: str, exc: Exception) -> None:
        self._fault("device_lost", f"zone {zone}: {exc}", zone=zone)

    def _device_back(self, zone: str) -> None:
        with self.db.session() as s:
            logs.resolve_open(s, "device_lost", zone, "device back; playout resumed")

    def _escalation(self, escalation) -> None:
        number = getattr(escalation, "case_number", None) or getattr(escalation, "case_id", "")
        self._fault("escalation", f"case {number}: unresolved after {self.settings.escalate_after_min:g} min "
                    "(Code Adam): supervisors, check exits", ref=f"case:{number}")

    def _check_tts(self) -> None:
        for name, state in self.renderer.health().items():
            if state != "ok" and name not in self._tts_faults:
                self._tts_faults.add(name)
                self._fault("tts_down", f"TTS engine {name}: {state}", ref=f"tts:{name}")
            elif state == "ok" and name in self._tts_faults:
                self._tts_faults.discard(name)
                with self.db.session() as s:
                    logs.resolve_open(s, "tts_down", None, "engine answering again", ref=f"tts:{name}")

    def _keep_music(self) -> None:
        """No dead air: the background programme plays as the bed whenever no music is airing."""
        if self.schedule is None:
            return
        programme = self.schedule.service.background()
        mine = self._music
        if mine and (programme is None or programme.id != mine[0]):
            self.engine.cancel(mine[1])  # background programme changed or removed
            self._music = mine = None
        if programme is None:
            return
        if mine and self.engine.music_airing():
            return
        item = self.bridge.background_item(programme)
        if item is not None:
            self._music = (programme.id, self.engine.submit(item))

    # -- life cycle -----------------------------------------------------------------------------
    def first_run(self) -> str | None:
        """On an empty database: an admin account (password printed once) and the default templates."""
        from broadcaster.users import add_user

        with self.db.session() as s:
            if s.scalar(select(func.count()).select_from(User).where(User.password_hash.is_not(None))):
                return None
            password = secrets.token_urlsafe(12)
            name = "admin" if s.scalar(select(User).where(User.name == "admin")) is None else "admin-" + secrets.token_hex(2)
            add_user(s, name, "admin", password=password)
        try:
            from broadcaster.paging.defaults import seed_defaults

            seed_defaults(self.db, self.clock)
        except Exception:
            log.exception("could not seed default page templates")
        return f"{name} / {password}"

    def start(self) -> "BroadcastService":
        report = self.station.recover()
        if any(report.values()):
            log.info("recovered after restart: %s", report)
        self.station.start()
        self.engine.start()
        if self.schedule is not None:
            self.schedule.start()
        self._ticker = threading.Thread(target=self._tick_loop, name="service-tick", daemon=True)
        self._ticker.start()
        self.publisher.start()
        self.doorbell.start()
        return self

    def ring(self, work: str = ALL) -> None:
        """Do ``work`` (control.PAGING, STATION or ALL) now rather than on the next tick."""
        with self._rung_lock:
            self._rung.add(work)
        self._wake.set()

    def _tick_loop(self) -> None:
        """Every ``tick_s`` the whole tick; between, only what rings asked for, so a busy desk's pages
        (hundreds a second) do not each cost the escalation check, TTS health and the music bed. When
        rings came in while the last tick ran (a burst), the next waits ``RING_GAP_S`` so that the
        burst's pages share one transaction; a ring after a quiet tick is answered at once."""
        next_full, busy = 0.0, False
        while True:
            self._wake.wait(max(0.0, next_full - time.monotonic()))
            self._wake.clear()
            if self._stop.is_set():
                return
            with self._rung_lock:
                rung, self._rung = self._rung, set()
            if time.monotonic() >= next_full or ALL in rung:
                next_full = time.monotonic() + self.tick_s
                jobs = [self.paging.tick, self.station.sync, self._check_tts, self._keep_music]
            else:
                if busy:  # rings came in while the last tick ran: a burst, let it share one tick
                    self._stop.wait(RING_GAP_S)
                    self._wake.clear()  # before taking the rings: a later one wakes the next turn
                    with self._rung_lock:
                        rung, self._rung = rung | self._rung, set()
                jobs = [job for work, job in ((PAGING, self.paging.air), (STATION, self.station.sync)) if work in rung]
            for job in jobs:
                try:
                    job()
                except Exception:
                    log.exception("service tick: %s failed", getattr(job, "__name__", job))
            busy = self._wake.is_set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self.doorbell.stop()
        if self.schedule is not None:
            self.schedule.stop()
        self.engine.stop()
        self.publisher.stop()
        self.station.stop()
        self.station.drain()
        self.db.dispose()

    def secret_key(self) -> str:
        return secret_key(self.var)


def secret_key(var: Path) -> str:
    """A per-installation secret for the panel's sessions, kept in var/ (sessions survive restarts and
    every panel worker process shares it)."""
    secret_file = var / "secret_key"
    if not secret_file.exists():
        tmp = var / f".secret_key.{os.getpid()}"
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, secret_file)  # first writer wins, never overwritten
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return secret_file.read_text().strip()


FRONTENDS = "pa_broadcaster.frontends"


def frontend(name: str = "web"):
    """A frontend registered under the ``pa_broadcaster.frontends`` entry point (the web panel
    registers itself there): imports flow web -> broadcaster, never back."""
    from importlib.metadata import entry_points

    for ep in entry_points(group=FRONTENDS):
        if ep.name == name:
            return ep.load()
    raise LookupError(f"no frontend {name!r} installed (entry point group {FRONTENDS})")
