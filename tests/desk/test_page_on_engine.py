"""A page through a real zone player (a null sink paced like a device, keeping every sample): it
pre-empts a programme on air at the next block, its chime airs while its speech is still rendering,
and the programme airs again from the top after it. What aired is checked at the sink and in the
as-run log."""
from __future__ import annotations

import numpy as np
import soundfile as sf

from audio.chimes import chime
from broadcaster.onair import airings
from broadcaster.priorities import Priority
from tests.conftest import BLOCK, OnAir
from tests.desk.conftest import as_run, hold_speech, lost_child, spoken, states

RATE = 48_000
LEVEL = 6554  # the programme: a constant 0.2
SHORT = {"zh-CN": "请家长到{meeting_point}。", "en": "Parents, please come to {meeting_point}."}


def _int16(pcm) -> np.ndarray:
    return np.round(np.clip(pcm.samples, -1.0, 32767 / 32768) * 32768.0).astype(np.int16)


def test_page_preempts_a_programme_and_chimes_while_speech_renders(templates, cases, paging, clock, tmp_path):
    db = templates.db
    templates.edit("lost_child", "sam", texts=SHORT)
    templates.approve("lost_child", "sue")
    wav = tmp_path / "programme.wav"
    sf.write(wav, np.full(3 * RATE, LEVEL, np.int16), RATE, subtype="PCM_16")
    air = OnAir(db, tmp_path, clock=clock, realtime=True)
    held = hold_speech(air)
    air.start()
    try:
        with db.session() as s:
            airings.request(s, airings.Request(key="programme:test", ref="programme:99", kind="programme",
                                               title="programme", zones=["main"], priority=Priority.PROGRAMME,
                                               pieces=[{"type": "file", "path": str(wav)}]), db.signals)
        air.wait(lambda: len(air.samples()) > RATE // 4, what="the programme on air")
        case = cases.open_case("dora", "missing", lost_child())
        page = paging.page_case(case.number, "dora", template="lost_child")
        ref = f"page:{page.id}"
        bell = _int16(chime("urgent_page"))

        def cut() -> int:
            got = air.samples()
            return int(np.argmax(got != LEVEL)) // BLOCK * BLOCK

        air.wait(lambda: states(db, ref) == ["airing"] and len(air.samples()) > cut() + len(bell) + RATE // 10,
                 what="the chime to air")
        assert not held.go.is_set()  # the speech has not even started rendering ...
        got = air.samples()
        at = cut()
        assert np.array_equal(got[at:at + len(bell)], bell)  # ... and the whole chime is on air
        assert np.all(got[:at] == LEVEL)  # the programme until the next block boundary
        held.go.set()
        air.wait(lambda: states(db, ref) == ["done"] and states(db, "programme:99") == ["done"], 60,
                 what="the page, then the programme again")
    finally:
        air.stop()
    got = air.samples()
    speech = got[at + len(bell):len(got) - 3 * RATE]
    assert np.abs(speech.astype(np.int32)).max() > 1000  # the speech aired between them
    assert np.all(got[-3 * RATE:] == LEVEL)  # the programme, in full, from the top
    runs = as_run(db, "")
    assert [(r.ref, r.outcome) for r in runs] == [("programme:99", "interrupted"), (ref, "completed"),
                                                  ("programme:99", "completed")]
    page_run = runs[1]
    assert page_run.priority == Priority.URGENT_PAGE  # which chime rang, by the hash of what aired
    assert page_run.pieces[0] == {"type": "chime", "name": "urgent_page", "sha256": chime("urgent_page").sha256()}
    said = spoken(air.renderer, page.texts.items())  # sentence by sentence, as the player airs it
    assert page_run.content_hash == page_run.pieces[1]["sha256"] == said.sha256()  # what aired, by its hash
    assert paging.page(page.id).times_aired == 1
    assert "page completed" in [e.action for e in cases.get(case.number).events]
