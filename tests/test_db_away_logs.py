"""The database away for a few seconds while a service runs (leader, LISTEN, a zone player): the log
says it once per loop when it goes and once when it is back ("database back after N s"), not a
traceback every round. Real PostgreSQL refusing connections meanwhile (as tests/test_pg_outage.py)."""
from __future__ import annotations

import logging
import time

import psycopg
import pytest
import sqlalchemy as sa

from broadcaster.store.reach import Outage, unreachable
from tests.pg import _admin as admin

LOOPS = ("leader:", "LISTEN:", "player ")  # a zone player is named host:zone


def away(server_url: str, name: str) -> None:
    admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    admin(server_url, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")


def back(server_url: str, name: str) -> None:
    admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def said(caplog, loop: str, words: str, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == level and r.getMessage().startswith(loop) and words in r.getMessage()]


def test_an_outage_is_one_warning_and_one_back_line_per_loop(pg_db, postgres_server, tmp_path, monkeypatch,
                                                              caplog):
    from broadcaster.service import BroadcastService

    server_url, _ = postgres_server
    name = pg_db.url.rsplit("/", 1)[1]
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    svc = BroadcastService(db_url=pg_db.url, zones={"main": "null"}, scheduler=False, tick_s=0.1)
    caplog.set_level(logging.INFO)
    svc.start()
    try:
        deadline = time.time() + 20
        while not any(r.getMessage().startswith("leading") for r in caplog.records) and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)  # LISTEN connected, the player stepping
        caplog.clear()
        away(server_url, name)
        try:
            time.sleep(4)
            gone = {loop: said(caplog, loop, "database unreachable", logging.WARNING) for loop in LOOPS}
        finally:
            back(server_url, name)
        deadline = time.time() + 20
        while time.time() < deadline and not all(said(caplog, loop, "database back after", logging.INFO)
                                                  for loop in LOOPS):
            time.sleep(0.2)
        time.sleep(1.0)
    finally:
        svc.stop()
    for loop in LOOPS:
        assert len(gone[loop]) == 1, (loop, gone[loop])
        returned = said(caplog, loop, "database back after", logging.INFO)
        assert len(returned) == 1, (loop, returned)
        assert "\n" not in gone[loop][0]
    tracebacks = [r.getMessage() for r in caplog.records if r.exc_info and r.levelno >= logging.WARNING]
    assert not tracebacks, tracebacks
    assert not [r for r in caplog.records if "LISTEN connection lost" in r.getMessage()]


def test_a_database_error_that_is_not_an_outage_keeps_its_traceback(pg_db, caplog):
    """A bug (bad SQL) is not an outage: the loop logs it in full each time."""
    outage = Outage(logging.getLogger("test"), "leader")
    with pytest.raises(sa.exc.DBAPIError) as bug:
        with pg_db.session() as s:
            s.execute(sa.text("SELECT no_such_column FROM no_such_table"))
    assert not unreachable(bug.value) and not outage.failed(bug.value) and not outage.away
    with pytest.raises(psycopg.OperationalError) as refused:  # nobody listens on port 1
        psycopg.connect("postgresql://postgres@127.0.0.1:1/postgres", connect_timeout=2)
    assert unreachable(refused.value)
    with pytest.raises(sa.exc.DBAPIError) as serial:  # a serialization failure is an OperationalError, not an outage
        with pg_db.session() as s:
            s.execute(sa.text("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001'; END $$"))
    assert not unreachable(serial.value)
