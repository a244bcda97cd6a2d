"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and upgrading an existing database keeps its data."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import broadcaster.store.models  # noqa: F401
from broadcaster.store.db import Database, upgrade
from broadcaster.store.models.base import Base


def _diff(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diffs = compare_metadata(ctx, Base.metadata)
    # APScheduler keeps its own job table beside ours; it is not part of our models.
    return [d for d in diffs if not (d[0] == "remove_table" and d[1].name == "apscheduler_jobs")]


def test_sqlite_schema_matches_models(db):
    assert _diff(db.engine) == []


def test_postgres_schema_matches_models(pg_db):
    assert pg_db.engine.dialect.name == "postgresql"
    assert _diff(pg_db.engine) == []


def test_upgrade_is_idempotent_and_keeps_data(tmp_path):
    from broadcaster.store.models.core import Role, User

    url = f"sqlite:///{tmp_path / 'keep.sqlite3'}"
    first = Database(url)
    with first.session() as s:
        s.add(User(name="amy", role=Role.BROADCASTER))
    first.dispose()
    again = Database(url)
    upgrade(again.engine)
    with again.session() as s:
        assert [u.name for u in s.scalars(sa.select(User))] == ["amy"]
    again.dispose()


def test_sqlite_writers_take_turns_across_processes(tmp_path):
    """Two engines on one file stand for two processes (the service and the desk CLI): a second writer
    waits (SQLite's own busy wait) for the first to commit, and both writes are kept."""
    import threading
    import time

    from broadcaster.store.models.core import Role, User

    url = f"sqlite:///{tmp_path / 'turns.sqlite3'}"
    a, b = Database(url), Database(url, migrate=False)
    order = []
    with a.session() as s:
        s.add(User(name="amy", role=Role.BROADCASTER))
        s.flush()  # a holds the write turn until it commits
        done = threading.Event()

        def other():
            with b.session() as s2:
                s2.add(User(name="bob", role=Role.BROADCASTER))
                s2.flush()
                order.append("b wrote")
            done.set()

        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.2)
        assert not done.is_set()  # b waits for a's commit
        order.append("a commits")
    t.join(5)
    assert order == ["a commits", "b wrote"]

    with a.session() as s:
        assert sorted(u.name for u in s.scalars(sa.select(User))) == ["amy", "bob"]
    a.dispose()
    b.dispose()


def test_0015_keeps_stored_tracks_and_rules_unmeasured_and_without_a_length(tmp_path):
    """A database at 0014 with a playlist of measured-gain tracks and a rule: upgraded, every row is
    kept as it was, each track's loudness is NULL (not measured yet) and the rule has no length of
    its own (its slots last as long as its programme)."""
    from datetime import datetime, time, timezone

    from broadcaster.schedule.programmes import ProgrammeService
    from broadcaster.store.models.schedule import PlaylistTrack

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = sa.create_engine(url)
    upgrade(engine, "0014_merge")
    old = sa.MetaData()
    old.reflect(engine)
    assert "lufs" not in old.tables["playlist_tracks"].c and "length_s" not in old.tables["schedule_rules"].c
    now = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(old.tables["playlists"].insert(), [dict(id=1, name="Lobby", shuffle=False, crossfade_s=3.0,
                                                             created_at=now)])
        conn.execute(old.tables["playlist_tracks"].insert(), [
            dict(id=1, playlist_id=1, position=0, path="/m/a.wav", title="a", duration=60.0, gain_db=-2.5),
            dict(id=2, playlist_id=1, position=1, path="/m/b.wav", title="b", duration=30.0, gain_db=None)])
        conn.execute(old.tables["programmes"].insert(), [dict(id=1, name="Music", priority=30, zones="main",
                                                              background=False, description="", created_at=now)])
        conn.execute(old.tables["schedule_rules"].insert(), [dict(
            id=1, programme_id=1, kind="weekly", at_time=time(9), days="thu", except_dates="", enabled=True,
            source="", created_at=now)])
    upgrade(engine)
    engine.dispose()
    db = Database(url)
    with db.session() as s:
        assert [(t.title, t.duration, t.gain_db, t.lufs, t.peak_dbtp) for t in
                s.scalars(sa.select(PlaylistTrack).order_by(PlaylistTrack.id))] == [
            ("a", 60.0, -2.5, None, None), ("b", 30.0, None, None, None)]
    [rule] = ProgrammeService(db).rules()
    assert (rule.programme, rule.spec.days, rule.length_s) == ("Music", (3,), None)
    db.dispose()


def test_0016_gives_accessories_their_kind_and_keeps_every_word(tmp_path):
    """Venue accessories were kept as kind "top" marked ``forms["accessory"]``: upgraded, they are of
    kind "accessory" without the mark, the other words untouched; the CHECK takes the new kind."""
    from datetime import datetime, timezone

    from broadcaster.store.models.keeping import VenueWord, WordKind

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = sa.create_engine(url)
    upgrade(engine, "0015_track_loudness")
    old = sa.MetaData()
    old.reflect(engine)
    now = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(old.tables["users"].insert(), [dict(id=1, name="sam", role="supervisor", active=True,
                                                         display_name="Sam", created_at=now)])
        conn.execute(old.tables["venue_words"].insert(), [
            dict(id=1, kind="top", key="scooter", names={"en": "scooter"}, forms={"accessory": True, "zh_verb": "拿着"},
                 created_by_id=1, created_at=now),
            dict(id=2, kind="top", key="cape", names={"en": "cape"}, forms={"ru_gender": "m"}, created_by_id=1,
                 created_at=now)])
        try:
            conn.execute(sa.text("UPDATE venue_words SET kind = 'accessory' WHERE id = 2"))
            refused = False
        except sa.exc.IntegrityError:
            refused = True
    assert refused  # before 0016 the CHECK refuses the kind
    upgrade(engine)
    engine.dispose()
    db = Database(url)
    with db.session() as s:
        words = {w.key: (w.kind, w.forms) for w in s.scalars(sa.select(VenueWord))}
    assert words == {"scooter": (WordKind.ACCESSORY, {"zh_verb": "拿着"}), "cape": (WordKind.TOP, {"ru_gender": "m"})}
    db.dispose()
