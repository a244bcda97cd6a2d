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


@pytest.fixture(autouse=True)
def _own_var_dir(tmp_path, monkeypatch):
    """Every test has its own var/ (settings, media, caches): nothing leaks into the project's var/."""
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("PA_VENUE_TZ", raising=False)


@pytest.fixture
def alsa_capture():
    """Path of the raw file the ALSA default device writes to; emptied before the test."""
    if _ALSA_OUT.exists():
        _ALSA_OUT.unlink()
    return _ALSA_OUT


@pytest.fixture
def db(tmp_path):
    """A real SQLite database file, migrated to head."""
    from broadcaster.store.db import Database

    database = Database(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    yield database
    database.dispose()


@pytest.fixture
def clock():
    from broadcaster.clock import ManualClock

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
def pg_db(postgres_server, request):
    """A fresh PostgreSQL database, migrated to head, for one test."""
    import uuid

    from broadcaster.store.db import Database

    url, server = postgres_server
    name = "t_" + uuid.uuid4().hex[:12]
    if server is not None:
        url = server.create_database(name)
    database = Database(url)
    yield database
    database.dispose()
