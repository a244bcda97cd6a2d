"""The running broadcaster (``broadcaster serve``): the zone player of this machine's zones, the
leader's duties when this process leads (scheduler, page repeats and escalation, background music,
the watch over players), and the services the panel calls. Everything reaches the air the same way:
services write airings, players claim them (``broadcaster.onair``)."""
from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from audio.airlog import DEFAULT_KEEP_DAYS, AirLog, AirLogSink
from audio.render import Renderer
from audio.sinks import NullSink, PortAudioSink, Sink, WavFileSink, list_devices, parse_device
from broadcaster import airlogs, logs, venue_chimes
from broadcaster.announcements import station as station_area
from broadcaster.clock import Clock, SystemClock
from broadcaster.errors import ValidationError
from broadcaster.onair import outcomes
from broadcaster.onair.leader import Leadership, lost_players
from broadcaster.onair.pieces import MediaSource, Speech
from broadcaster.onair.player import ZonePlayer, gate
from broadcaster.onair.sound_settings import SoundSettings
from broadcaster.playback import air_log_folder
from broadcaster.settings import VenueSettings, load_settings, settings_version, var_dir
from broadcaster.voices import venue_renderer
from broadcaster.store.db import Database
from broadcaster.store.media import MediaStore
from broadcaster.store.reach import Outage, unreachable
from broadcaster.store.models.core import User

log = logging.getLogger(__name__)


REMOTE = "remote"
#: a zone added to the venue (or its output changed) for a serve that opens its outputs when it starts
ZONE_RESTART = ("this zone was added to the venue (or its sound output changed) for this machine: it is heard once "
                "the service on this machine is restarted; until then what is paged there waits")


def build_sink(zone: str, spec: str, var: Path, *, air_log_days: float = DEFAULT_KEEP_DAYS,
               air_log_zones: str = "no_device") -> Sink:
    """A sink for a zone (not opened: the engine opens it and retries while it is missing).
    The default device falls back, when the machine has no audio device, to a real-time null output.
    The air logger keeps what a zone airs (hourly Ogg Opus files in var/air/ZONE, ``air_log_days`` days; the
    disk cap is set by :func:`make_player`): for ``air_log_zones`` "no_device" only such a fallback zone, for "all"
    every zone (sound cards too), for "none" no zone."""
    kind, _, arg = spec.partition(":")
    try:  # the default device of a machine that has none (or no audio system at all): the null fallback
        fallback = kind == "device" and not arg and not any(d["default"] for d in list_devices())
    except Exception:
        fallback = True
    if fallback or kind == "null":
        sink = NullSink(realtime=True)
    elif kind == "device":
        sink = PortAudioSink(parse_device(arg) if arg else None)
    elif kind == "wav" and arg:
        sink = WavFileSink(arg, realtime=True)
    elif spec == REMOTE:
        raise ValidationError(f"zone {zone}: 'remote' means a player on another machine airs it; the player that "
                              "airs it names its output: device, device:NAME, wav:PATH or null")
    else:
        raise ValidationError(f"zone {zone}: unknown sink {spec!r}; use device, device:NAME, wav:PATH, null, "
                              "or remote (played by `broadcaster player` on another machine)")
    if air_log_zones == "all" or (fallback and air_log_zones == "no_device"):
        folder = air_log_folder(var, zone)
        if fallback:
            log.warning("zone %s: no audio device here; the air logger keeps what airs in %s", zone, folder)
        return AirLogSink(sink, AirLog(folder, keep_days=air_log_days))
    return sink


def register_areas() -> None:
    """The areas' outcome listeners and last checks before air (every process that runs a player or
    writes outcomes: serve, player)."""
    from broadcaster.paging import onair as paging_area
    from broadcaster.schedule import onair as schedule_area

    for kind, area in (("announcement", station_area), ("page", paging_area), ("programme", schedule_area)):
        outcomes.listen(kind, area.on_outcome)
        gate(kind, area.at_air)


def make_player(db: Database, zone_specs: dict[str, str], *, var: Path, renderer: Renderer, clock: Clock,
                settings: VenueSettings, name: str | None = None, media_root: Path | None = None,
                follow_zones: bool = False) -> ZonePlayer:
    """A zone player of ``zone_specs`` that adopts the venue's sound settings while it runs (SoundSettings;
    ``follow_zones``: and stops playing a zone the venue removes)."""
    sinks = {z: build_sink(z, spec, var, air_log_days=settings.air_log_days, air_log_zones=settings.air_log_zones)
             for z, spec in zone_specs.items()}
    logged = {z: sink.airlog for z, sink in sinks.items() if isinstance(sink, AirLogSink)}
    media = MediaSource(db, media_root or var / "media", var / "cache" / "media", target_lufs=settings.loudness_lufs)
    player = ZonePlayer(db, sinks, media, name=name, speech=Speech(renderer), clock=clock, duck_music=settings.duck_music,
                        poll_s=1.0 if db.is_postgres else 0.2)  # PostgreSQL wakes players by NOTIFY
    keeper = None
    if logged:  # what they air, stored in the database: the panel plays it back whatever machine aired it
        keeper = airlogs.Keeper(db, player.name, logged, keep_days=settings.air_log_days).attach(player)
    player.every_second.append(SoundSettings(db, player, settings, keeper, zones=follow_zones).look)
    return player


class BroadcastService:
    def __init__(self, *, db_url: str | None = None, zones: dict[str, str] | None = None,
                 settings: VenueSettings | None = None, clock: Clock | None = None,
                 scheduler: bool = True, tick_s: float = 1.0) -> None:
        from broadcaster.paging.paging import PagingService
        from broadcaster.schedule.onair import warmer, writer
        from broadcaster.schedule.scheduler import ScheduleEngine

        register_areas()
        self.db = Database(db_url)
        os.environ["PA_DATABASE_URL"] = self.db.url  # the process's store: what a call without one reads
        self._settings_version = settings_version(self.db)
        self.settings = settings or load_settings(self.db)
        self.var = var_dir()
        self.clock = clock or SystemClock()
        self.media = MediaStore()
        venue_chimes.sync_local(self.db)  # renders here ring the venue's chimes, wherever they were set
        self.renderer = venue_renderer(self.settings)
        specs = dict(zones or self.settings.zones)
        self.own_zones = tuple(zones or ())  # serve --zone: played here whatever the venue's zones are
        self._restart_said: set = set()  # (zone, output) this machine said it plays once restarted
        self.venue_zones = tuple(dict.fromkeys([*self.settings.zones, *specs]))
        # "remote": a zone of the venue whose player runs on another machine (broadcaster player)
        self.zone_specs = {z: spec for z, spec in specs.items() if spec != REMOTE}
        self.paging = PagingService.for_venue(self.db, self.clock, self.settings, self.venue_zones)
        self.player = make_player(self.db, self.zone_specs, var=self.var, renderer=self.renderer, clock=self.clock,
                                  settings=self.settings, media_root=self.media.root) if self.zone_specs else None
        self.leader = Leadership(self.db)
        # warm: files hashed, recordings' gains stored ahead; the leader's round plans the next hour, the
        # scheduler's threads the rest of the horizon
        self.schedule = ScheduleEngine(self.db, writer(self.db, media=self.media, venue_zones=lambda: self.venue_zones),
                                       warmer(self.db), first_h=1, clock=self.clock) if scheduler else None
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._tts_faults: set[str] = set()
        self._levels_at = 0.0  # when the leader next looks for recordings to measure

    @property
    def engine(self):
        """This machine's playout engine (None when it plays no zone)."""
        return self.player.engine if self.player is not None else None

    # -- faults -------------------------------------------------------------------------------------
    def _check_tts(self) -> None:
        """A fault only when no engine can speak a venue language; an engine down while another speaks
        for it (gTTS offline, espeak-ng served) is only logged, and its old fault resolves."""
        from broadcaster.voices import mute_languages

        mute, first = mute_languages(self.renderer, self.settings.languages), not hasattr(self, "_tts_seen")
        self._tts_seen = True
        with self.db.session() as s:
            for lang in self.settings.languages:
                if lang in mute and lang not in self._tts_faults:
                    self._tts_faults.add(lang)
                    logs.raise_fault(s, "tts_down", mute[lang], ref=f"tts:{lang}")
                elif lang not in mute and (first or lang in self._tts_faults):
                    self._tts_faults.discard(lang)
                    logs.resolve_open(s, "tts_down", None, "speech served in this language", ref=f"tts:{lang}")
            for name in self.renderer.health() if first else ():  # per-engine faults of earlier versions
                logs.resolve_open(s, "tts_down", None, "another engine speaks", ref=f"tts:{name}")

    # -- the leader's duties ---------------------------------------------------------------------------
    def _keep_music(self) -> None:
        """No dead air: the background programme's bed is always queued or airing in its zones."""
        from broadcaster.onair import airings
        from broadcaster.schedule.onair import bed_airings

        if self.schedule is None:
            return
        programme = self.schedule.service.background()
        with self.db.session() as s:
            open_beds = set(s.scalars(select(outcomes.Airing.ref).where(
                outcomes.Airing.kind == "music", outcomes.Airing.key.like("bed:%"),
                outcomes.Airing.state.in_(outcomes.OPEN_STATES))))
            for ref in open_beds - ({f"music:{programme.id}"} if programme else set()):
                airings.cancel(s, ref, "background programme changed", self.db.signals)
            if programme is not None and f"music:{programme.id}" not in open_beds:
                bed_airings(s, programme, signals=self.db.signals, venue_zones=self.venue_zones)

    def adopt_settings(self) -> bool:
        """The venue settings saved since this process read them (on any machine's panel or CLI) adopted:
        the paging's interval, repeats and escalation, the time zone. Returns whether they changed."""
        version = settings_version(self.db)
        if version == self._settings_version:
            return False
        fresh = load_settings(self.db)
        self._settings_version = version
        self.settings.__dict__.update(fresh.__dict__)
        self.paging.adopt(self.settings, self._adopt_zones())
        log.info("venue settings: version %d adopted", version)
        return True

    def _adopt_zones(self) -> tuple[str, ...]:
        """The venue's zones now (its settings', and this machine's ``--zone`` ones). Pages and slots written
        from now on go to a zone added and refuse a zone removed. This machine's player, when it plays the
        venue's zones (no ``--zone``), stops claiming a zone removed (or now played elsewhere: remote); a zone
        added for it to play (or whose output changed) opens its sound output only when the service restarts:
        said in the log and as a fault staff see, instead of silently not airing."""
        zones = tuple(dict.fromkeys([*self.settings.zones, *self.own_zones]))
        if zones != self.venue_zones:
            log.warning("venue zones: now %s (before: %s)", ", ".join(zones), ", ".join(self.venue_zones))
            self.venue_zones = zones
        if self.own_zones:  # serve --zone: this machine plays the zones it was started with
            return zones
        venue = self.settings.zones
        gone = [z for z in self.zone_specs if venue.get(z, REMOTE) == REMOTE]
        if self.player is not None and set(gone) & set(self.player.zones):
            self.player.retire(gone)
        restart = {(z, spec) for z, spec in venue.items() if spec != REMOTE and self.zone_specs.get(z) != spec}
        with self.db.session() as s:
            for zone in gone:  # not to be played here any more: nothing to restart for
                logs.resolve_open(s, "other", zone, "no longer played on this machine", ref=f"zone-restart:{zone}")
            for zone, spec in sorted(restart - self._restart_said):
                log.warning("zone %s: added to the venue to be played on this machine (%s); its sound output opens "
                            "when the service here is restarted", zone, spec)
                logs.raise_fault(s, "other", f"zone {zone}: {ZONE_RESTART}", zone=zone, ref=f"zone-restart:{zone}")
        self._restart_said = restart
        return zones

    def lead(self) -> bool:
        """One round of the leader's duties, if this process leads. Returns whether it leads."""
        try:  # every process, leader or not: a change saved anywhere is the one the next round uses
            self.adopt_settings()
        except Exception as exc:
            if unreachable(exc):
                raise  # the database away: said once by the loop (_tick_loop), not each round
            log.exception("venue settings: the saved ones could not be read; the ones in use stay")
        if not self.leader.try_lead():
            if self.schedule is not None and self.schedule.scheduler is not None:
                self.schedule.stop()  # lost the lead: the new leader schedules
            return False
        if self.schedule is not None and self.schedule.scheduler is None:
            self.schedule.start()
        now = self.clock.now()
        mine = (self.player.name,) if self.player is not None and self.player.alive else ()
        for job in (self.paging.tick, self._keep_music, lambda: lost_players(self.db, now, alive=mine),
                    self._expire, self._check_tts, self._level_recordings):
            try:
                job()
            except Exception as exc:
                if unreachable(exc):
                    raise
                log.exception("leader: %s failed", getattr(job, "__name__", job))
        return True

    def _level_recordings(self) -> None:
        """Programme recordings with no gain stored at the venue's loudness target (it changed, or the
        database is from before) measured in the background: a look every five minutes."""
        from broadcaster.schedule import levels

        if self.schedule is not None and time.monotonic() >= self._levels_at:
            self._levels_at = time.monotonic() + 300
            levels.sweep_soon(self.db)

    def _expire(self) -> None:
        with self.db.session() as s:
            outcomes.expire_queued(s, self.clock.now())

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
        from broadcaster.venue import start_setup

        self.settings.setup_pending = start_setup().setup_pending  # the panel leads the admin through it
        try:
            from broadcaster.paging.defaults import seed_defaults

            seed_defaults(self.db, self.clock)
        except Exception:
            log.exception("could not seed default page templates")
        return f"{name} / {password}"

    def start(self) -> "BroadcastService":
        with self.db.session() as s:  # restarted with its zones: their "restart to play it" is done
            for zone in self.zone_specs:
                logs.resolve_open(s, "other", zone, "the service here restarted and plays it",
                                  ref=f"zone-restart:{zone}")
        threading.Thread(target=self.renderer.warm, args=(self.settings.languages,), name="tts-warm",
                         daemon=True).start()  # the voices load while the rest starts
        if self.player is not None:
            self.player.start()
        self._ticker = threading.Thread(target=self._tick_loop, name="leader", daemon=True)
        self._ticker.start()
        return self

    def _tick_loop(self) -> None:
        outage = Outage(log, "leader")  # the database away: one line when it goes, one when it is back
        while not self._stop.is_set():
            try:
                self.lead()
            except Exception as exc:
                if not outage.failed(exc):
                    log.exception("leader round failed")
            else:
                outage.ok()
            self._stop.wait(self.tick_s)

    def stop(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(5)
        if self.schedule is not None and self.schedule.scheduler is not None:
            self.schedule.stop()
        if self.player is not None:
            self.player.stop()
        self.leader.resign()
        self.db.dispose()


def secret_key(var: Path) -> str:
    """A per-installation secret for the panel's sessions, kept in var/ (sessions survive restarts)."""
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
