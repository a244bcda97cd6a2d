"""Pages through real zone players: what issue 10 found wrong with paging stays fixed.

- many pages at once all air in full, in turn, oldest first, and repeat only once aired;
- a repeat never cuts a page on air;
- a page survives its player's restart (or death), unless its case was resolved meanwhile;
- resolving a case takes its pages off the air (queued ones never air, one on air stops at once).
"""
from __future__ import annotations

import math
import time

import pytest
from sqlalchemy import select

from audio.chimes import chime
from broadcaster.cases.missing import move
from broadcaster.onair.airings import CHANNEL
from broadcaster.store.models.cases import CaseState, PersonCase
from broadcaster.store.models.workflow import Fault
from tests.conftest import BLOCK, OnAir
from tests.desk.conftest import airings, as_run, fast_player, hold_speech, lost_child, spoken, states



def _page_samples(air: OnAir, page) -> int:
    """What one airing of ``page`` hands the sink: its chime and speech, to the end of their last block."""
    speech = spoken(air.renderer, page.texts.items())
    return math.ceil((len(chime("urgent_page")) + len(speech)) / BLOCK) * BLOCK


def _all(db, state: str, n: int):
    return lambda: [a.state.value for a in airings(db)] == [state] * n


def test_eight_pages_at_once_air_in_full_in_turn_and_repeat_only_once_aired(paging, cases, clock, templates,
                                                                           tmp_path):
    db = templates.db
    air = fast_player(db, tmp_path, clock)
    pages = [paging.open_and_page("dora" if i % 2 else "dan", "missing", lost_child())[1] for i in range(8)]
    refs = [f"page:{p.id}" for p in pages]
    clock.advance(minutes=3, seconds=1)  # every page is due again, but none has aired yet
    assert paging.tick().queued == []
    assert [a.state.value for a in airings(db)] == ["queued"] * 8
    air.start()
    try:
        air.wait(_all(db, "done", 8), 120, "all eight pages to air")
        runs = as_run(db)
        assert [(r.ref, r.outcome) for r in runs] == [(ref, "completed") for ref in refs]  # oldest first, none cut
        per_page = _page_samples(air, pages[0])
        assert len(air.samples()) == 8 * per_page  # each in full, once: nothing cut and aired again
        assert paging.tick().queued == [p.id for p in pages]  # each has ended: each repeats, in order
        air.wait(_all(db, "done", 16), 120, "all eight repeats to air")
    finally:
        air.stop()
    runs = as_run(db)[8:]
    assert [(r.ref, r.outcome) for r in runs] == [(ref, "completed") for ref in refs]
    assert len(air.samples()) == 16 * per_page
    assert not [r for r in as_run(db) if r.outcome == "interrupted"]
    for first, repeat in zip(airings(db)[:8], airings(db)[8:]):
        assert first.ref == repeat.ref and repeat.key.endswith(":2@main")
        assert first.ended_at <= repeat.requested_at  # written only once the previous airing had ended
    assert [paging.page(p.id).times_aired for p in pages] == [2] * 8


def test_a_repeat_never_cuts_a_page_on_air(paging, cases, clock, templates, tmp_path):
    db = templates.db
    air = OnAir(db, tmp_path, clock=clock, realtime=True)
    held = hold_speech(air)  # the page stays on air (its chime, then silence) until the speech renders
    air.start()
    try:
        case, page, _ = paging.open_and_page("dora", "missing", lost_child())
        ref = f"page:{page.id}"
        air.wait(lambda: states(db, ref) == ["airing"], what="the page on air")
        clock.advance(minutes=3, seconds=1)
        assert paging.tick().queued == []
        clock.advance(minutes=3)
        assert paging.tick().queued == []
        assert states(db, ref) == ["airing"] and len(airings(db)) == 1
        assert paging.page(page.id).times_queued == 1  # the repeat is still to come, after this airing
    finally:
        air.stop()
        held.drop()


def test_a_page_speaks_its_first_sentence_while_the_rest_render(paging, cases, clock, templates, tmp_path):
    """Speech starts at once: the chime, then the first sentence as soon as it is rendered, while the
    next ones are still rendering; the as-run row names the hash of exactly the speech that aired."""
    db = templates.db
    air = OnAir(db, tmp_path, clock=clock, realtime=True)
    held = hold_speech(air, free=1)  # the first sentence renders; every later one waits
    air.start()
    try:
        case, page, _ = paging.open_and_page("dora", "missing", lost_child())
        plan = air.renderer.plan(list(page.texts.items()))
        lang, first = plan[0]
        assert len([p for p in plan if not isinstance(p, float)]) > 1
        voice = air.renderer.say(first, lang)[0].to_int16()
        bell = chime("urgent_page").to_int16()
        start = math.ceil(len(bell) / BLOCK) * BLOCK  # the speech follows the chime's last block

        def voice_at() -> int | None:  # after the chime's last block (and whole blocks of silence while
            got = air.samples()          # the first sentence still renders on a loaded machine)
            for at in range(start, len(got) - len(voice) + 1, BLOCK):
                if (got[at:at + len(voice)] == voice).all():
                    assert not got[start:at].any()
                    return at
            return None
        air.wait(lambda: voice_at() is not None, 30, "the first sentence on air")
        assert held.said == [first] and not held.go.is_set()  # the rest is still "rendering"
        assert (air.samples()[:len(bell)] == bell).all()
        held.go.set()
        air.wait(lambda: states(db, f"page:{page.id}") == ["done"], 60, "the whole page")
    finally:
        air.stop()
        held.drop()
    [run] = as_run(db)
    assert run.outcome == "completed" and run.content_hash == spoken(air.renderer, page.texts.items()).sha256()


def test_a_player_wrongly_declared_lost_airs_its_page_again(paging, cases, clock, templates, tmp_path):
    """A player stalled past the heartbeat limit (a loaded machine, a network cut) is declared lost:
    its page goes back to the queue. The player, still running, drops what it held without a word and
    claims the page again: it airs in full (never ends "cancelled" by the player's own clean-up)."""
    from datetime import timedelta

    from broadcaster.onair.leader import lost_players

    db = templates.db
    air = OnAir(db, tmp_path, clock=clock, realtime=True)
    held = hold_speech(air)
    air.start()
    try:
        case, page, _ = paging.open_and_page("dora", "missing", lost_child())
        ref = f"page:{page.id}"
        air.wait(lambda: states(db, ref) == ["airing"], what="the page on air")
        assert lost_players(db, clock.now() + timedelta(seconds=10)) == [air.player.name]
        air.wait(lambda: [r.outcome for r in as_run(db)] == ["interrupted", "airing"], 20,
                 "the page claimed and started again")
        with db.session() as s:  # back: its "player lost" is over, as when a player restarts
            assert [(f.kind, f.state.value) for f in s.scalars(select(Fault))] == [("player_lost", "resolved")]
        held.go.set()
        air.wait(lambda: states(db, ref) == ["done"], 60, "the page to the end")
    finally:
        air.stop()
        held.drop()
    assert [r.outcome for r in as_run(db)] == ["interrupted", "completed"]


def _kill(air: OnAir) -> None:
    """kill -9: the player's threads stop where they are, with no goodbye written (its rows stay claimed)."""
    p = air.player
    p._stop.set()
    p._wake.set()
    p._thread.join(5)
    p.db.signals.unlisten(CHANNEL, p._wake.set)
    p.engine.stop()


@pytest.mark.parametrize("how", ["killed", "stopped"])
def test_pages_survive_a_player_restart_unless_their_case_was_resolved(how, paging, cases, clock, templates,
                                                                       tmp_path):
    db = templates.db
    first = OnAir(db, tmp_path, clock=clock, realtime=True, name="desk-player")
    held = hold_speech(first)
    first.start()
    pages = {}
    try:
        pages["airing"] = paging.open_and_page("dora", "missing", lost_child())[1]
        air_ref = f"page:{pages['airing'].id}"
        first.wait(lambda: states(db, air_ref) == ["airing"], what="the first page on air")
        pages["claimed"] = paging.open_and_page("dora", "missing", lost_child())[1]
        first.wait(lambda: [a.player for a in airings(db)] == ["desk-player"] * 2, what="the next page claimed")
        pages["resolved behind paging"] = paging.open_and_page("dora", "missing", lost_child())[1]
        pages["resolved"] = paging.open_and_page("dora", "missing", lost_child())[1]
        assert [a.player for a in airings(db)] == ["desk-player", "desk-player", None, None]
    finally:
        _kill(first) if how == "killed" else first.stop()
        held.drop()
    assert states(db, air_ref) == (["airing"] if how == "killed" else ["queued"])
    with db.session() as s:  # resolved where paging cannot see it (written directly): only the last check can
        move(s, s.get(PersonCase, pages["resolved behind paging"].case_id), CaseState.FOUND, None, clock.now())
        number = s.get(PersonCase, pages["resolved"].case_id).number
    paging.resolve(number, "dora", "found", all_clear=False)  # while no player runs: off the air
    second = fast_player(db, tmp_path, clock, name="desk-player").start()  # the same player, restarted
    try:
        second.wait(lambda: [a.state.value for a in airings(db)] == ["done", "done", "failed", "cancelled"], 60,
                    "the pages still wanted to air again")
    finally:
        second.stop()
    refs = {k: f"page:{p.id}" for k, p in pages.items()}
    runs = [(r.ref, r.outcome) for r in as_run(db)]
    assert runs == [(refs["airing"], "interrupted"), (refs["airing"], "completed"), (refs["claimed"], "completed")]
    assert len(second.samples()) == 2 * _page_samples(second, pages["airing"])  # nothing of the other two
    refused, cancelled = airings(db)[2:]
    assert "no longer wanted" in refused.detail and refused.started_at is None
    assert "resolved" in cancelled.detail and cancelled.player is None
    assert airings(db)[0].retries == 1


@pytest.mark.parametrize("resolve", ["paging.resolve", "cases.transition"])
def test_resolving_a_case_takes_its_pages_off_the_air(resolve, paging, cases, clock, templates, tmp_path):
    db = templates.db
    air = OnAir(db, tmp_path, clock=clock, realtime=True)
    air.start()
    try:
        case, page, _ = paging.open_and_page("dora", "missing", lost_child())
        again = paging.page_case(case.number, "dora")  # a second page of the case, waiting its turn
        on_air, waiting = f"page:{page.id}", f"page:{again.id}"
        air.wait(lambda: states(db, on_air) == ["airing"] and len(air.samples()) > 4800, what="the page on air")
        if resolve == "paging.resolve":
            paging.resolve(case.number, "dora", "found", all_clear=False)
        else:  # the panel's state change: the case is resolved all the same
            cases.transition(case.number, "sam", "found")
        resolved_at = time.monotonic()
        assert states(db, on_air) == ["cancelled"] and states(db, waiting) == ["cancelled"]
        air.wait(lambda: [r.outcome for r in as_run(db)] == ["cancelled"], what="the page to stop")
        n = len(air.samples())
        time.sleep(0.3)
        assert len(air.samples()) == n  # nothing more airs in the zone
    finally:
        air.stop()
    late = [t for t, _ in air.sinks["main"].blocks if t > resolved_at]
    # the player is woken when the resolution commits and its engine drops the page before its next block
    # (typically 0 or 1 block after resolve() returns; 15 blocks, 0.3 s, leaves room for a loaded machine)
    assert len(late) <= 15, f"{len(late)} blocks aired after the case was resolved"
    assert [r.ref for r in as_run(db)] == [on_air]  # the waiting page never aired
    assert any(e.action == "repeats cancelled" for e in cases.get(case.number).events)


def test_a_page_resolved_while_its_player_is_dead_ends_in_the_as_run_log(paging, cases, clock, templates, tmp_path):
    """The page was on air when its player died; the case is resolved before the player is back (or the
    leader declares it lost): the as-run entry ends, cancelled, when the player was last known to air it,
    instead of staying "airing" for ever."""
    db = templates.db
    first = OnAir(db, tmp_path, clock=clock, realtime=True, name="desk-player")
    held = hold_speech(first)
    first.start()
    try:
        case, page, _ = paging.open_and_page("dora", "missing", lost_child())
        first.wait(lambda: states(db, f"page:{page.id}") == ["airing"], what="the page on air")
        died_at = clock.now()
    finally:
        _kill(first)
        held.drop()
    clock.advance(seconds=30)
    paging.resolve(case.number, "dora", "found", all_clear=False)
    second = fast_player(db, tmp_path, clock, name="desk-player").start()
    second.stop()
    [run] = as_run(db)
    assert (run.outcome, run.ended_at) == ("cancelled", died_at)
    assert states(db, f"page:{page.id}") == ["cancelled"] and len(second.samples()) == 0
