"""A page cut while its speech still renders (its case resolved, an emergency on air) has an as-run row
that names its speech: the hash of the speech as rendered and the engines that spoke it, written when
the render ends (the row was written when the page was cut, before the speech was known)."""
from __future__ import annotations

import pytest

from broadcaster.onair import airings as queue
from broadcaster.priorities import Priority
from tests.conftest import OnAir
from tests.desk.conftest import airings, as_run, hold_speech, lost_child, spoken, states

SHORT = {"zh-CN": "请家长到{meeting_point}。", "en": "Parents, please come to {meeting_point}."}


def _speech(run) -> dict:
    return next(p for p in run.pieces if p["type"] == "speech")


def _emergency(db) -> None:
    with db.session() as s:
        queue.request(s, queue.Request(key="emergency:1", ref="emergency:1", kind="emergency", title="evacuate",
                                           zones=["main"], priority=Priority.EMERGENCY,
                                           pieces=[{"type": "silence", "seconds": 0.3}]), db.signals)


def _page_on_air(templates, paging, clock, tmp_path, rendered: int = 0):
    """A started player airing a page's chime, ``rendered`` sentences of its speech rendered and the rest
    held (``held.go`` lets them render): (player, held speech, case, page)."""
    air = OnAir(templates.db, tmp_path, clock=clock, realtime=True)
    held = hold_speech(air, free=rendered)
    air.start()
    try:
        case, page, _ = paging.open_and_page("dora", "missing", lost_child())
        air.wait(lambda: states(templates.db, f"page:{page.id}") == ["airing"] and len(air.samples()) > 4800
                 and len(held.said) == rendered, what="the chime on air")
    except BaseException:
        air.stop()
        raise
    return air, held, case, page


@pytest.mark.parametrize("cut, rendered", [("resolved", 0), ("resolved", 1), ("emergency", 0)])
def test_a_page_cut_while_its_speech_renders_names_its_speech_in_the_as_run_log(cut, rendered, paging, cases, clock,
                                                                                 templates, tmp_path):
    """``rendered``: sentences rendered (and on air) when the page is cut; the rest wait."""
    db = templates.db
    templates.edit("lost_child", "sam", texts=SHORT)  # a page of a few seconds: it airs again in full
    templates.approve("lost_child", "sue")
    air, held, case, page = _page_on_air(templates, paging, clock, tmp_path, rendered)
    ref = f"page:{page.id}"
    try:
        if cut == "resolved":
            paging.resolve(case.number, "dora", "found", all_clear=False)
        else:
            _emergency(db)
        ended = "cancelled" if cut == "resolved" else "interrupted"
        air.wait(lambda: [r.outcome for r in as_run(db)][:1] == [ended], what="the page to be cut")
        [run] = as_run(db)[:1]
        assert "sha256" not in _speech(run) and len(held.said) == rendered  # cut before all of it had rendered
        held.go.set()
        air.wait(lambda: "sha256" in _speech(as_run(db)[0]), what="the cut page's speech to be named")
        if cut == "emergency":  # the page airs again, from the top, after the emergency
            air.wait(lambda: states(db, ref) == ["done"], 60, what="the page again")
    finally:
        air.stop()
    said = spoken(air.renderer, page.texts.items())  # sentence by sentence, as the player airs it
    engines = ", ".join(dict.fromkeys(air.renderer.say(p[1], p[0])[1]
                                      for p in air.renderer.plan(list(page.texts.items())) if isinstance(p, tuple)))
    runs = as_run(db)
    assert [r.outcome for r in runs] == [ended] + (["completed"] if cut == "emergency" else [])
    for run in runs:  # the cut one names the same speech as the one that aired in full
        assert run.content_hash == _speech(run)["sha256"] == said.sha256()
        assert run.engines == _speech(run)["engines"] == engines
    assert runs[0].ended_at is not None


def test_a_page_on_air_when_its_player_stops_names_the_speech_rendered_by_then(paging, cases, clock, templates,
                                                                              tmp_path):
    """The player stops (the service shuts down) while a page airs: its as-run row ends there and names
    the speech, rendered since the page began (the row was written at its first sample, before it was)."""
    db = templates.db
    air, held, case, page = _page_on_air(templates, paging, clock, tmp_path)
    ref = f"page:{page.id}"
    try:
        assert "sha256" not in _speech(as_run(db)[0])  # the row as it began: the speech not rendered yet
        held.go.set()
        [row] = airings(db, ref)
        air.player.speech.render([tuple(p) for p in _speech(row)["parts"]])[1].result(30)  # its whole speech
        assert states(db, ref) == ["airing"]  # still on air (a page of about twenty seconds)
    finally:
        air.stop()
    [run] = as_run(db)
    assert run.outcome == "interrupted" and run.ended_at is not None
    assert run.content_hash == _speech(run)["sha256"] == spoken(air.renderer, page.texts.items()).sha256()
