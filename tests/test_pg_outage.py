"""The database away for a few seconds (PostgreSQL restarted, a network cut) while a zone player airs:
what waits its turn is not refused because its last check could not reach the database; it airs once
the database answers again. Real PostgreSQL (the test's database refuses connections meanwhile), a
real zone player."""
from __future__ import annotations

import time

import numpy as np
import sqlalchemy as sa

from audio import chimes
from broadcaster.clock import utcnow
from broadcaster.onair import airings
from broadcaster.store.models.onair import Airing
from broadcaster.store.models.workflow import AsRun
from tests.conftest import OnAir
from tests.pg import _admin as admin


def _admin(server_url: str, *sql: str) -> None:
    for statement in sql:
        admin(server_url, statement)


def test_an_item_whose_last_check_meets_the_database_away_airs_when_it_is_back(pg_db, postgres_server, tmp_path):
    db = pg_db
    server_url, _ = postgres_server
    name = db.url.rsplit("/", 1)[1]
    air = OnAir(db, tmp_path, realtime=True).start()
    try:
        with db.session() as s:  # the second waits behind the first: checked when its turn comes
            for key, pieces in (("first", [{"type": "silence", "seconds": 2.0}]),
                                ("second", [{"type": "chime", "name": "urgent_page"}])):
                airings.request(s, airings.Request(key=key, ref=f"emergency:{key}", kind="emergency", title=key,
                                                   zones=["main"], priority=90, pieces=pieces), db.signals)

        def state(key):
            with db.session() as s:
                return s.scalar(sa.select(Airing.state).where(Airing.key == f"{key}@main")).value
        air.wait(lambda: state("first") == "airing" and state("second") == "queued", 30, "the first on air")
        _admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
               f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
        try:
            time.sleep(4)  # the first ends meanwhile: the second's turn, its check cannot reach the database
        finally:
            _admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        air.wait(lambda: state("second") in ("done", "failed"), 30, "the second to end")
        with db.session() as s:
            second = s.scalar(sa.select(Airing).where(Airing.key == "second@main"))
            runs = [r.outcome for r in s.scalars(sa.select(AsRun).where(AsRun.ref == "emergency:second"))]
        assert (second.state.value, second.detail, runs) == ("done", "", ["completed"])
    finally:
        air.stop()
    bell = chimes.chime("urgent_page").to_int16()
    out = air.samples()
    assert any(np.array_equal(out[i:i + 480], bell[:480]) for i in range(0, len(out) - 480, 480)), \
        "the chime reached the sink"


def test_what_the_air_logger_completes_while_the_database_is_away_is_stored_when_it_is_back(pg_db, postgres_server,
                                                                                           tmp_path):
    """A file completed and an item's marks noted during a 10 s outage (longer than the keeper's first
    tries) are stored once the database answers: nothing waits for the player's next restart, and an
    item's marks (never found again from the files) are not lost."""
    from audio.airlog import AirLog
    from broadcaster.airlogs import Keeper
    from broadcaster.store.models.airlog import AirLogFile, AirMark

    db = pg_db
    server_url, _ = postgres_server
    name = db.url.rsplit("/", 1)[1]
    with db.session() as s:  # an airing for the marks to name
        row = airings.request(s, airings.Request(key="x", ref="emergency:x", kind="emergency", title="x",
                                                 zones=["lobby"], priority=90,
                                                 pieces=[{"type": "chime", "name": "urgent_page"}]))[0]
        airing_id = row.id
    airlog = AirLog(tmp_path / "air" / "lobby")
    keeper = Keeper(db, "p-lobby", {"lobby": airlog})
    _admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
           f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    try:
        run, first = airlog.position()
        keeper._note(("start", airing_id, "lobby", utcnow(), run, first))
        airlog.write(np.full(48000, 1000, np.int16))
        keeper._note(("end", airing_id, run, first, first + 48000))
        airlog.close()  # completed: its note goes to the keeper
        time.sleep(10)
    finally:
        _admin(server_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    assert keeper.close(60), "everything noted was stored"
    with db.session() as s:
        files = list(s.scalars(sa.select(AirLogFile)))
        marks = [(m.airing_id, m.start, m.end) for m in s.scalars(sa.select(AirMark))]
    assert [(f.zone, f.frames) for f in files] == [("lobby", 48000)]
    assert marks == [(airing_id, first, first + 48000)]
