"""Venue settings: language order, time zone, zones and their output devices.

Read from ``var/settings.json`` when present, overridden by environment variables:
PA_LANGUAGES="zh-CN,en", PA_VENUE_TZ="Asia/Shanghai", PA_ZONES="main=device,lobby=device:2".
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcaster.errors import ValidationError

log = logging.getLogger(__name__)
_last_good: dict[Path, str] = {}  # a settings file -> the last text of it this process could read
_said: dict[Path, str] = {}       # a settings file -> the unreadable text last logged


@dataclass
class VenueSettings:
    languages: list[str] = field(default_factory=lambda: ["zh-CN", "en"])
    timezone: str = "Asia/Shanghai"
    zones: dict[str, str] = field(default_factory=lambda: {"main": "device"})
    #: {zone: {lang: name}}: what staff call each zone, in every venue language (broadcaster.venue.zone_names);
    #: the zone's id stays its key everywhere it is stored
    zone_names: dict = field(default_factory=dict)
    duck_music: bool = True
    page_interval_min: float = 3.0
    page_max_repeats: int = 5
    escalate_after_min: float = 10.0
    venue_name: str = ""
    #: [{"names": {lang: name}, "meeting_point": bool}]: the desk's pick-list (broadcaster.venue)
    places: list = field(default_factory=list)
    #: steps of the first-run setup still to do (broadcaster.venue; empty when done)
    setup_pending: list = field(default_factory=list)
    # sound: speech and recordings are levelled to this integrated loudness (LUFS, EBU R128 / BS.1770)
    loudness_lufs: float = -20.0
    # sound: days the air logger keeps each zone's hourly recordings of what aired
    air_log_days: float = 31.0
    # desk: days an unclaimed lost-property item is kept before it is due for disposal
    lost_retention_days: int = 30
    # panel: a log-in unused this many minutes ends (the next click asks to log in again)
    session_idle_min: float = 30.0
    # sound: disk the air logger of one machine may use (GB, shared by its logged zones; oldest hours
    # go first); null in settings.json: no cap, only the days above (PA_AIRLOG_MAX_GB overrides).
    # An hour of non-stop music takes ~29 MB (Ogg Opus, 64 kbit/s), 31 days ~22 GB a zone: 75 GB keeps
    # the full 31 days of three zones' non-stop audio (main, lobby, gate) with room to spare
    air_log_max_gb: float | None = 75.0
    # sound: which zones the air logger records: "no_device" (only zones without a sound card, whose
    # audio would otherwise be lost), "all" (zones with a sound card too) or "none" (PA_AIRLOG_ZONES)
    air_log_zones: str = "no_device"

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"timezone: unknown time zone {self.timezone!r}") from None

    def order(self, langs: list[str]) -> list[str]:
        """Languages in venue order first, then any others in the order given."""
        known = [lang for lang in self.languages if lang in langs]
        return known + [lang for lang in langs if lang not in known]


AIR_LOG_ZONES = ("no_device", "all", "none")


def var_dir() -> Path:
    from broadcaster.store.db import ROOT

    path = Path(os.environ.get("PA_VAR_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def parse_zones(spec: str) -> dict[str, str]:
    zones = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        name, _, sink = item.partition("=")
        if not name.strip() or not sink.strip():
            raise ValidationError(f"zones: {item!r} should look like NAME=SINK (e.g. lobby=device:2)")
        zones[name.strip()] = sink.strip()
    if not zones:
        raise ValidationError("zones: at least one zone is needed")
    return zones


def stored_settings(path: str | Path | None = None, *, strict: bool = False) -> dict:
    """What ``var/settings.json`` itself says (no defaults, no environment). A file that a hand edit
    left unreadable is refused (ValidationError) where nothing else will do: at a process's first read,
    before a save (which would overwrite the edit) and when ``strict``. Otherwise a running process keeps
    the last copy it read, with an error in its log: a typo in the file never stops a page."""
    file = Path(path) if path else var_dir() / "settings.json"
    if not file.exists():  # the defaults are in use: they stay if a broken file appears
        _last_good[file] = "{}"
        return {}
    text = file.read_text("utf-8")
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        if strict or file not in _last_good:
            raise ValidationError(f"settings file {file}: not valid JSON ({exc})") from None
        if _said.get(file) != text:  # once per broken text, not at every read
            _said[file] = text
            log.error("settings file %s: not valid JSON (%s); the last copy read stays in use", file, exc)
        return json.loads(_last_good[file])
    _last_good[file] = text
    return data


def save_settings(changes: dict, path: str | Path | None = None) -> VenueSettings:
    """Merge ``changes`` into ``var/settings.json`` (validated first; the file is replaced atomically)."""
    file = Path(path) if path else var_dir() / "settings.json"
    data = stored_settings(file, strict=True)
    data.update(changes)
    probe = VenueSettings(**{k: v for k, v in data.items() if hasattr(VenueSettings, k)})
    probe.tz  # raises ValidationError for an unknown zone, before anything is written
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(file)
    return load_settings(file)


def load_settings(path: str | Path | None = None) -> VenueSettings:
    s = VenueSettings()
    file = Path(path) if path else var_dir() / "settings.json"
    for key, value in stored_settings(file).items():
        if hasattr(s, key):
            setattr(s, key, value)
    if os.environ.get("PA_LANGUAGES"):
        s.languages = [x.strip() for x in os.environ["PA_LANGUAGES"].split(",") if x.strip()]
    if os.environ.get("PA_VENUE_TZ"):
        s.timezone = os.environ["PA_VENUE_TZ"]
    if os.environ.get("PA_ZONES"):
        s.zones = parse_zones(os.environ["PA_ZONES"])
    if os.environ.get("PA_AIRLOG_MAX_GB"):
        try:
            s.air_log_max_gb = float(os.environ["PA_AIRLOG_MAX_GB"])
        except ValueError:
            raise ValidationError(f"PA_AIRLOG_MAX_GB: a number of GB, got {os.environ['PA_AIRLOG_MAX_GB']!r}") from None
    cap = s.air_log_max_gb
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap <= 0):
        raise ValidationError(f"air_log_max_gb: a number of GB above 0 (or none), got {cap!r}")
    s.air_log_zones = os.environ.get("PA_AIRLOG_ZONES") or s.air_log_zones
    if s.air_log_zones not in AIR_LOG_ZONES:
        raise ValidationError(f"air_log_zones: {s.air_log_zones!r}; use one of {', '.join(AIR_LOG_ZONES)}")
    s.tz  # validate now
    return s
