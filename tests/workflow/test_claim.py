"""The zone player's claim: an airing is claimed (player and time written) before it is handed to the
engine, and while a commit's airings wait to be claimed the player says so (``settled`` clear: the
panel's threads give way meanwhile, commands.serve.give_way). Real player, real SQLite, null sinks."""
from __future__ import annotations

from sqlalchemy import select

from broadcaster.onair import airings
from broadcaster.store.models.onair import Airing, AiringState
from broadcaster.store.models.workflow import AsRun


def queue(db, key: str) -> None:
    with db.session() as s:
        airings.request(s, airings.Request(key=key, ref=f"emergency:{key}", kind="emergency", title=key,
                                           zones=["main"], priority=90,
                                           pieces=[{"type": "chime", "name": "programme"}]), db.signals)


def row(db, key: str) -> Airing:
    with db.session() as s:
        return s.scalar(select(Airing).where(Airing.ref == f"emergency:{key}"))


def test_a_claimed_airing_names_its_player_and_is_logged_once(onair):
    queue(onair.db, "bell")
    onair.wait(lambda: row(onair.db, "bell").state is AiringState.DONE, what="the bell aired")
    aired = row(onair.db, "bell")
    assert aired.player == onair.player.name and aired.claimed_at <= aired.started_at
    with onair.db.session() as s:
        assert [r.outcome for r in s.scalars(select(AsRun).where(AsRun.ref == "emergency:bell"))] == ["completed"]


def test_settled_is_clear_from_the_commit_until_the_hand_over(onair):
    player = onair.player
    onair.wait(lambda: player.settled.is_set(), what="the player settled after its start")
    with player._lock:  # the player's step waits: what the commit queued is not claimed yet
        queue(onair.db, "bell")
        assert not player.settled.is_set()
        assert row(onair.db, "bell").player is None
    onair.wait(lambda: player.settled.is_set(), what="settled once claimed and handed over")
    assert row(onair.db, "bell").player == player.name
    # handed over: it airs (not "held or not queued": the engine may finish a chime on a null sink
    # before its events commit, and the player lets go of it (_held) as they are written)
    onair.wait(lambda: row(onair.db, "bell").state is AiringState.DONE, what="the bell handed over and aired")


def test_a_step_that_fails_leaves_the_panel_waiting_for_nothing(onair, monkeypatch):
    """The database refuses the claim (locked by another process, away): the step fails and claims nothing,
    so ``settled`` is set again rather than making every panel query wait its cap until a step succeeds;
    the airing is claimed and airs once the database answers."""
    from sqlalchemy.exc import OperationalError

    player, claim = onair.player, onair.player._claim
    onair.wait(lambda: player.settled.is_set(), what="the player settled after its start")
    failures = []

    def refused(s):
        failures.append(1)
        raise OperationalError("UPDATE airings", {}, Exception("database is locked"))

    monkeypatch.setattr(player, "_claim", refused)
    queue(onair.db, "bell")
    onair.wait(lambda: failures, what="a step that failed")
    onair.wait(lambda: player.settled.is_set(), what="settled again after the failed step")
    assert row(onair.db, "bell").player is None
    monkeypatch.setattr(player, "_claim", claim)
    onair.wait(lambda: row(onair.db, "bell").state is AiringState.DONE, what="the bell aired once the database answered")


def test_a_stopped_player_leaves_the_panel_waiting_for_nothing(db, tmp_path, monkeypatch):
    from tests.conftest import OnAir

    air = OnAir(db, tmp_path).start()
    player = air.player
    monkeypatch.setattr(player, "step", lambda: None)  # it claims nothing more from here on
    queue(db, "bell")
    assert not player.settled.is_set()
    air.stop()
    assert player.settled.is_set()
