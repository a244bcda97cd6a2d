"""Venue settings: language order, time zone, zones and their output devices.

Stored in the database (table ``venue_settings``): every process on every machine reads the same ones
and adopts a change saved anywhere (``settings_version``). A venue's ``var/settings.json`` of earlier
versions is imported once. Environment variables override them in one process:
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
    #: None: a case's pages repeat until the case is resolved (the venue's practice); a number caps them
    page_max_repeats: int | None = None
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
    # go first); null: no cap, only the days above (PA_AIRLOG_MAX_GB overrides).
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


def _database(db=None):
    """The Database the venue settings are in: ``db`` itself, or the one this process opened on the URL
    ``db`` names, by default its store (``--db`` / PA_DATABASE_URL / SQLite in var/). A URL no open
    Database serves is opened (and brought to the schema's head) here, and kept while it is the last."""
    from broadcaster.store.db import Database, default_url, opened

    if isinstance(db, Database):
        return db
    url = db or default_url()
    found = opened(url)
    if found is None:
        for old in list(_own):
            _own.pop(old).dispose()
        found = _own[url] = Database(url)
    return found


_own: dict = {}  # the one Database this module opened itself (none a caller had open on its URL)


def _read_file(file: Path) -> dict:
    try:
        data = json.loads(file.read_text("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        raise ValidationError(f"settings file {file}: not valid JSON ({exc}); nothing was imported from it "
                              "into the database: correct the file or move it away") from None
    return data


def _import_file(database) -> None:
    """Upgrade: a venue whose settings were in ``var/settings.json`` (earlier versions) has them imported
    into the database once, at the first read that finds the database without settings. The file is not
    read again after that (it is left as it was). A file that does not read is refused, importing nothing."""
    from sqlalchemy.exc import IntegrityError

    from broadcaster.clock import utcnow
    from broadcaster.store.models.venue import ROW_ID, StoredSettings

    file = var_dir() / "settings.json"
    if not file.exists():
        return
    data = _read_file(file)
    try:
        with database.session() as s:
            if s.get(StoredSettings, ROW_ID) is None:
                s.add(StoredSettings(id=ROW_ID, data=json.dumps(data, ensure_ascii=False), version=1,
                                     saved_at=utcnow()))
                log.warning("venue settings: %s imported into the database; the file is not read any more "
                            "(the settings are changed in the panel, on any machine)", file)
    except IntegrityError:  # another process imported them first
        pass


def stored_settings(db=None) -> dict:
    """What was saved for the venue (no defaults, no environment), from the database (``db``: a
    Database or URL; the process's store by default)."""
    from broadcaster.store.models.venue import ROW_ID, StoredSettings

    database = _database(db)
    for attempt in (1, 2):
        with database.session() as s:
            row = s.get(StoredSettings, ROW_ID)
            if row is not None:
                return json.loads(row.data)
        if attempt == 1:
            _import_file(database)
    return {}


def settings_version(db=None) -> int:
    """Goes up at each save, wherever it was made (0: nothing saved yet): a process that read the
    settings at version N adopts them again when this is no longer N. One read by primary key."""
    from sqlalchemy import select

    from broadcaster.store.models.venue import ROW_ID, StoredSettings

    with _database(db).session() as s:
        return s.scalar(select(StoredSettings.version).where(StoredSettings.id == ROW_ID)) or 0


def save_settings(changes: dict, db=None) -> VenueSettings:
    """Merge ``changes`` into the venue settings in the database (all of them checked first: bad input
    stores nothing). Every process on every machine adopts them (see ``settings_version``). Saves take turns
    (two at once on any machine: both kept, the later merged into the earlier)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from broadcaster.clock import utcnow
    from broadcaster.store.models.venue import ROW_ID, StoredSettings

    database = _database(db)
    stored_settings(database)  # a venue's settings file imported first: the change is merged into it
    dialect = postgresql if database.is_postgres else sqlite
    with database.session() as s:
        # the row there before it is read (two first saves at once: one writes it, the other waits for it),
        # and on SQLite this write takes the file's write lock first (waiting for another saver's commit):
        # what is read below is the last save, and the change is merged into it, losing no key
        s.execute(dialect.insert(StoredSettings).values(id=ROW_ID, data="{}", version=0, saved_at=utcnow())
                  .on_conflict_do_nothing(index_elements=["id"]))
        row = s.get(StoredSettings, ROW_ID, with_for_update=True)  # PostgreSQL: the row locked
        data = json.loads(row.data)
        data.update(changes)
        _build(data, environment=False)  # raises ValidationError before anything is written
        row.data, row.version, row.saved_at = json.dumps(data, ensure_ascii=False), row.version + 1, utcnow()
    return _build(data)


def load_settings(db=None) -> VenueSettings:
    """The venue settings: what was saved (database ``db``, by default the process's store) over the
    defaults, with the environment's overrides."""
    return _build(stored_settings(db))


def _build(data: dict, environment: bool = True) -> VenueSettings:
    s = VenueSettings()
    for key, value in data.items():
        if hasattr(s, key):
            setattr(s, key, value)
    env = os.environ if environment else {}
    if env.get("PA_LANGUAGES"):
        s.languages = [x.strip() for x in env["PA_LANGUAGES"].split(",") if x.strip()]
    if env.get("PA_VENUE_TZ"):
        s.timezone = env["PA_VENUE_TZ"]
    if env.get("PA_ZONES"):
        s.zones = parse_zones(env["PA_ZONES"])
    if env.get("PA_AIRLOG_MAX_GB"):
        try:
            s.air_log_max_gb = float(env["PA_AIRLOG_MAX_GB"])
        except ValueError:
            raise ValidationError(f"PA_AIRLOG_MAX_GB: a number of GB, got {env['PA_AIRLOG_MAX_GB']!r}") from None
    reps = s.page_max_repeats  # None: a case's pages repeat until it is resolved
    if reps is not None and (isinstance(reps, bool) or not isinstance(reps, int) or reps < 1):
        raise ValidationError(f"page_max_repeats: a whole number above 0 (or none: until the case is resolved), "
                              f"got {reps!r}")
    cap = s.air_log_max_gb
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, (int, float)) or cap <= 0):
        raise ValidationError(f"air_log_max_gb: a number of GB above 0 (or none), got {cap!r}")
    s.air_log_zones = env.get("PA_AIRLOG_ZONES") or s.air_log_zones
    if s.air_log_zones not in AIR_LOG_ZONES:
        raise ValidationError(f"air_log_zones: {s.air_log_zones!r}; use one of {', '.join(AIR_LOG_ZONES)}")
    s.tz  # validate now
    return s
