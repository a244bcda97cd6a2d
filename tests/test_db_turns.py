"""The writers of one process take turns over SQLite (broadcaster.store.db.WriterTurn): the turn is
handed over at commit or rollback, and the zone players' writes go before the panel's."""
from __future__ import annotations

import threading
import time

from sqlalchemy import text

from broadcaster.store import db as store
from broadcaster.store.db import Database, airs_first


def _writer(db: Database, who: str, order: list, *, first: bool = False, hold: threading.Event | None = None,
            wrote: threading.Event | None = None) -> threading.Thread:
    def run() -> None:
        if first:
            airs_first()
        with db.session() as s:
            s.execute(text("INSERT INTO turns (who) VALUES (:w)"), {"w": who})  # takes the turn
            order.append(who)
            if wrote is not None:
                wrote.set()
            if hold is not None:
                hold.wait(10)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _waiting(turn, n: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if len(turn._cond._waiters) >= n:
            return True
        time.sleep(0.01)
    return False


def test_a_players_write_goes_before_the_panels_writes_that_waited_longer(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'venue.sqlite3'}")
    with db.session() as s:
        s.execute(text("CREATE TABLE turns (who TEXT)"))
    turn = store._turn_for(str(tmp_path / "venue.sqlite3"))
    order: list[str] = []
    hold, wrote = threading.Event(), threading.Event()
    holder = _writer(db, "desk 1", order, hold=hold, wrote=wrote)
    assert wrote.wait(5)
    desks = [_writer(db, f"desk {i}", order) for i in (2, 3)]
    assert _waiting(turn, 2)
    player = _writer(db, "player", order, first=True)
    assert _waiting(turn, 3)
    assert order == ["desk 1"]  # nobody wrote while desk 1 held the turn
    hold.set()
    for t in (holder, player, *desks):
        t.join(10)
    assert order[:2] == ["desk 1", "player"], order
    with db.session() as s:
        assert sorted(s.scalars(text("SELECT who FROM turns"))) == ["desk 1", "desk 2", "desk 3", "player"]
    db.dispose()


def test_the_turn_comes_back_at_rollback_and_nothing_of_the_failed_writer_is_stored(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'venue.sqlite3'}")
    with db.session() as s:
        s.execute(text("CREATE TABLE turns (who TEXT)"))
    try:
        with db.session() as s:
            s.execute(text("INSERT INTO turns (who) VALUES ('failed')"))
            raise RuntimeError("refused after writing")
    except RuntimeError:
        pass
    order: list[str] = []
    with db.engine.connect():  # the failed writer's connection stays out of the pool: the next one is new
        t = _writer(db, "next", order)  # it would wait BUSY_S if the failed writer kept the turn
        t.join(5)
    assert order == ["next"]
    with db.session() as s:
        assert list(s.scalars(text("SELECT who FROM turns"))) == ["next"]
    db.dispose()
