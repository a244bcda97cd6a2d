"""Now playing is read from the database (the players' heartbeats and the airings), the same for every
panel process: what a running player airs shows as on air; nothing of a lost player's does, and what it
held shows as waiting, never as aired."""
from __future__ import annotations

from datetime import timedelta

from broadcaster.clock import utcnow
from broadcaster.onair import airings
from broadcaster.onair.nowplaying import health, now_playing
from broadcaster.onair.leader import lost_players


def request(db, key: str, priority: int, seconds: float = 5.0, zones=("main",)):
    with db.session() as s:
        airings.request(s, airings.Request(key=key, ref=key, kind="announcement", title=key, zones=list(zones),
                                           priority=priority, pieces=[{"type": "silence", "seconds": seconds}]),
                        db.signals)


def test_on_air_and_waiting_come_from_the_players_and_the_airings(staff, player):
    request(staff, "test:long", 50)
    player.wait(lambda: (now_playing(staff)["main"]["now"] or {}).get("ref") == "test:long", 10, "on air")
    request(staff, "test:next", 40)
    zones = now_playing(staff, zones=("main", "lobby"))
    main = zones["main"]
    assert main["player"] == "panel-test-player" and main["running"] and main["device_ok"] is True
    player.wait(lambda: now_playing(staff)["main"]["waiting"], 5, "the next one waiting")
    main = now_playing(staff)["main"]
    assert [w["ref"] for w in main["waiting"]] == ["test:next"] and main["waiting_count"] == 1
    assert main["waiting"][0]["state"] == "waiting"
    assert zones["lobby"]["player"] is None and not zones["lobby"]["running"]  # a venue zone nobody plays
    assert health(zones)["players"] == "lost" and health({"main": main})["players"] == "ok"


def test_a_lost_players_airing_is_never_shown_on_air(staff, player):
    request(staff, "test:long", 50)
    player.wait(lambda: (now_playing(staff)["main"]["now"] or {}).get("ref") == "test:long", 10, "on air")
    later = utcnow() + timedelta(seconds=10)  # ten seconds without a heartbeat
    main = now_playing(staff, at=later)["main"]
    assert main["running"] is False and main["now"] is None and main["device_ok"] is None
    assert [(w["ref"], w["state"]) for w in main["waiting"]] == [("test:long", "unconfirmed")]
    assert now_playing(staff, stale_s=60, at=later)["main"]["now"]["ref"] == "test:long"

    lost_players(staff, later)  # the leader gives what it held back to the queue
    main = now_playing(staff, at=later)["main"]
    assert [(w["ref"], w["state"]) for w in main["waiting"]] == [("test:long", "waiting")]


def test_the_dashboard_shows_a_lost_player_and_when_it_was_last_heard(app, staff, browser):
    """A zone whose player stopped answering: the dashboard says so, with the time it was last heard
    (the heartbeat comes back from the database as text in the now-playing JSON)."""
    from broadcaster.store.models.onair import PlayerStatus

    with staff.session() as s:
        s.add(PlayerStatus(name="rack-2", zones=["main"], host="rack-2", pid=1, heartbeat_at=utcnow() - timedelta(
            minutes=5), now={}, stopped=False))
    page = browser("dora").get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "player-down" in html and "rack-2" in html
