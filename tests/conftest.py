"""Shared fixtures. Area fixtures live in each tests/<area>/conftest.py."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The "device" in tests is ALSA's file PCM: PortAudio writes the exact samples to a raw file.
# It must be configured before sounddevice is first imported (PortAudio reads ALSA config on init).
_ALSA_HOME = Path(os.environ.setdefault("PA_TEST_ALSA_HOME", str(ROOT / "var" / "test-alsa")))
_ALSA_OUT = _ALSA_HOME / "OUT.raw"
(_ALSA_HOME / "alsa").mkdir(parents=True, exist_ok=True)
(_ALSA_HOME / "alsa" / "asoundrc").write_text(
    'pcm.!default { type file; slave.pcm "null"; file "%s"; format "raw" }\n' % _ALSA_OUT
)
os.environ["XDG_CONFIG_HOME"] = str(_ALSA_HOME)
os.environ.setdefault("PA_GTTS_DISABLED", "1")  # no network here; tests that want gTTS mock it

from audio.pcm import SAMPLE_RATE  # noqa: E402  (after the ALSA set-up above)
from broadcaster.onair.engine import BLOCK_MS  # noqa: E402

BLOCK = int(SAMPLE_RATE * BLOCK_MS / 1000)  # samples in one block of the playout engine


@pytest.fixture(autouse=True)
def _own_var_dir(tmp_path, monkeypatch):
    """Every test has its own var/ (settings, media, caches): nothing leaks into the project's var/."""
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PA_VENUE_TZ", raising=False)
    monkeypatch.delenv("PA_DATABASE_URL", raising=False)  # restored after a test whose CLI call (--db) set it


@pytest.fixture
def alsa_capture():
    """Path of the raw file the ALSA default device writes to; emptied before the test."""
    if _ALSA_OUT.exists():
        _ALSA_OUT.unlink()
    return _ALSA_OUT


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A real SQLite database file, migrated to head: the test process's store (the venue settings)."""
    from broadcaster.store.db import Database

    monkeypatch.setenv("PA_DATABASE_URL", f"sqlite:///{tmp_path / 'test.sqlite3'}")
    database = Database()
    yield database
    database.dispose()


@pytest.fixture
def clock():
    from tests.clock import ManualClock

    return ManualClock()


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session (PA_TEST_PG_URL, or a private temporary cluster)."""
    url = os.environ.get("PA_TEST_PG_URL")
    if url:
        yield url, None
        return
    from tests.pg import TempPostgres

    server = TempPostgres().start()
    yield server.url, server
    server.stop()


@pytest.fixture
def pg_db(postgres_server, request, monkeypatch):
    """A fresh PostgreSQL database, migrated to head, for one test: the test process's store."""
    import uuid

    from broadcaster.store.db import Database

    from tests.pg import create_database, drop_database

    server_url, _server = postgres_server
    url = create_database(server_url, "t_" + uuid.uuid4().hex[:12])  # its own, on PA_TEST_PG_URL's server too
    monkeypatch.setenv("PA_DATABASE_URL", url)
    database = Database(url)
    yield database
    database.dispose()
    drop_database(server_url, url)


class OnAir:
    """A real zone player (engine, outcomes, hash checks) over in-memory sinks that keep every sample,
    on the test's database. ``wait(pred)`` polls until ``pred()`` is true."""

    def __init__(self, db, tmp_path, zones=("main",), clock=None, realtime=False, name="test-player"):
        from audio.render import Renderer
        from audio.sinks import NullSink
        from broadcaster.onair.pieces import MediaSource, Speech
        from broadcaster.onair.player import ZonePlayer
        from broadcaster.service import register_areas

        register_areas()
        self.db = db
        self.sinks = {z: NullSink(keep=True, realtime=realtime) for z in zones}
        self.renderer = Renderer(cache_dir=tmp_path / "cache", lead_in=0.1)
        self.media = MediaSource(db, tmp_path / "media", tmp_path / "player-cache")
        self.player = ZonePlayer(db, self.sinks, self.media, name=name, speech=Speech(self.renderer), clock=clock,
                                 poll_s=0.05)

    def start(self):
        self.player.start()
        return self

    def stop(self):
        self.player.stop()

    def samples(self, zone="main"):
        return self.sinks[zone].samples()

    def wait(self, pred, timeout=30.0, what="condition"):
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}")

    def airings(self, ref_prefix=""):
        from sqlalchemy import select

        from broadcaster.store.models.onair import Airing

        with self.db.session() as s:
            return list(s.scalars(select(Airing).where(Airing.ref.like(ref_prefix + "%")).order_by(Airing.id)))


@pytest.fixture
def onair(db, tmp_path):
    """A started zone player for zone "main" (stopped after the test). Media is looked up under
    ``tmp_path/media`` (the workflow World's MediaStore root)."""
    air = OnAir(db, tmp_path).start()
    yield air
    air.stop()
