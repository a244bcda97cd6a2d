"""What a zone player takes from the venue settings, adopted while it runs (``SoundSettings``): loudness,
music ducking, air-log days and disk cap, and for a ``broadcaster player`` the zones the venue removes."""
from __future__ import annotations

import logging

from audio.airlog import AirLogSink
from audio.chimes import KINDS
from broadcaster.errors import ValidationError
from broadcaster.onair.player import ZonePlayer
from broadcaster.settings import VenueSettings, load_settings, settings_version
from broadcaster.store.db import Database

log = logging.getLogger(__name__)


class SoundSettings:
    """What a zone player takes from the venue settings: speech and chimes levelled to ``loudness_lufs``,
    music ducked or paused under announcements (``duck_music``), the air logs' days and this machine's disk
    cap. Adopted while it runs: once a second the player's loop reads the settings' version (one read by
    primary key) and, after a save anywhere, applies them to what airs next. An item already on the engine
    airs as it was built (its speech rendered, its chime levelled at the old target); ducking follows from
    the next block. Which zones the air logger records (``air_log_zones``) is chosen when the player starts:
    a change of it is logged, to be applied by a restart. With ``zones`` (a `broadcaster player`), a zone of
    the player that the venue removes from its zones is no longer played (serve's own: ``_adopt_zones``)."""

    def __init__(self, db: Database, player: ZonePlayer, settings: VenueSettings, keeper=None, *,
                 zones: bool = False) -> None:
        self.db, self.player, self.keeper = db, player, keeper
        self.zones = set(settings.zones) if zones else None  # the venue's zones as last read
        self.logged = [z.sink.airlog for z in player.engine.zones.values() if isinstance(z.sink, AirLogSink)]
        self.version: int | None = None  # the first look reads them again (a save made while it started)
        self.air_log_zones = settings.air_log_zones
        self.apply(settings)

    def apply(self, settings: VenueSettings) -> None:
        player, target = self.player, float(settings.loudness_lufs)
        moved = player.media.target_lufs != target
        if player.speech is not None:
            player.speech.renderer.target_lufs = target
        player.media.target_lufs = target
        player.engine.duck_music = settings.duck_music
        cap = settings.air_log_max_gb
        for airlog in self.logged:  # this machine's cap, shared by the zones it logs
            airlog.keep_days = settings.air_log_days
            airlog.max_bytes = int(cap * 1e9 / len(self.logged)) if cap else None
        if self.keeper is not None:
            self.keeper.keep_days = settings.air_log_days
        if settings.air_log_zones != self.air_log_zones:
            log.warning("player %s: the air logger's zones are now %r in the venue settings; this player logs as it "
                        "started (%r) until it is restarted", player.name, settings.air_log_zones, self.air_log_zones)
            self.air_log_zones = settings.air_log_zones
        if moved:
            for name in KINDS:  # levelled for the new target now: the next page does not wait for it
                player.media.chime(name)
        if self.zones is not None:
            removed = [z for z in player.zones if z in self.zones and z not in settings.zones]
            if removed:
                log.warning("player %s: zone(s) %s removed from the venue: no longer played here", player.name,
                            ", ".join(removed))
                player.retire(removed)
            back = [z for z in player.engine.zones if z not in player.zones and z in settings.zones]
            if back:  # retired when the venue removed them, now given back: its device is still open here
                log.warning("player %s: zone(s) %s back in the venue: played here again", player.name, ", ".join(back))
                player.reinstate(back)
            self.zones = set(settings.zones)

    def look(self) -> None:
        """The settings saved since the last look (on any machine), applied (the player's loop, once a second)."""
        version = settings_version(self.db)
        if version == self.version:
            return
        try:
            fresh = load_settings(self.db)
        except ValidationError:
            log.exception("player %s: the venue settings could not be read; the ones in use stay", self.player.name)
        else:
            self.apply(fresh)
            log.info("player %s: venue settings version %d adopted (loudness %g LUFS, music %s under announcements) "
                     "for what airs next", self.player.name, version, fresh.loudness_lufs,
                     "ducked" if fresh.duck_music else "paused")
        self.version = version
