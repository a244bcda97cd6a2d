"""Defects of issue 11: one all-clear per case however often it is resolved on; a found child's case
escalates with a security page about the meeting point; the escalation alarm names the case by number;
a TTS engine down while another speaks the language is no fault."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from broadcaster.store.models.cases import Escalation, Page, TemplatePurpose
from broadcaster.store.models.workflow import Fault
from tests.desk.conftest import airings, lost_child


def test_closing_a_reunited_case_airs_no_second_all_clear(paging, cases, clock, staff):
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    paging.resolve(case.number, "dora", "reunited", result="mother collected him")
    clock.advance(minutes=3)
    paging.resolve(case.number, "dora", "closed", result="reunited at the visitor centre")
    for _ in range(3):
        clock.advance(minutes=3)
        paging.tick()
    clears = [p for p in paging.pages(case_number=case.number) if p.purpose is TemplatePurpose.ALL_CLEAR]
    assert len(clears) == 1
    assert [a.title for a in airings(staff)].count(f"Page {case.number} (all_clear)") == 1
    assert cases.get(case.number).state.value == "closed"


def test_found_child_escalates_with_a_security_page_about_the_meeting_point(paging, cases, clock, staff):
    found = lost_child(person_name=None, last_seen_place=None, meeting_point="Visitor Centre")
    case = cases.open_case("dora", "found", found)
    paging.page_case(case.number, "dora")
    clock.advance(minutes=10)
    report = paging.tick()
    assert report.escalated == [case.number]
    [alert] = report.alerts
    assert alert.security_page_id is not None
    assert case.number in alert.reason and "not aired" not in alert.reason
    with staff.session() as s:
        page = s.get(Page, alert.security_page_id)
        assert "Visitor Centre" in page.texts["en"] and "安保" in page.texts["zh-CN"]
    assert f"Page {case.number} (security)" in [a.title for a in airings(staff)]


def test_a_security_page_that_cannot_air_says_why_in_the_alarm(paging, templates, cases, clock, staff):
    templates.edit("lost_child", "dora", texts={
        "zh-CN": "寻人启事：一名约{age}岁的{sex}，身穿{clothing}，请带到{meeting_point}。",
        "en": "We are looking for a {sex} of about {age}, wearing {clothing}. Please bring them to {meeting_point}."})
    templates.approve("lost_child", "sam")  # a wording without the place last seen
    case = cases.open_case("dora", "missing", lost_child(last_seen_place=None))
    paging.page_case(case.number, "dora", template="lost_child")
    clock.advance(minutes=10)
    [alert] = paging.tick().alerts
    assert alert.security_page_id is None
    assert alert.reason.startswith(f"case {case.number}:") and "security page was not aired" in alert.reason
    assert "place last seen" in alert.reason and "last_seen_place" not in alert.reason
    with staff.session() as s:
        assert s.scalar(select(Escalation.reason)) == alert.reason


@pytest.fixture
def service(tmp_path, monkeypatch):
    from broadcaster.service import BroadcastService

    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PA_LANGUAGES", "zh-CN,en")
    svc = BroadcastService(db_url=f"sqlite:///{tmp_path / 'svc.sqlite3'}", zones={"main": "null"}, scheduler=False)
    yield svc
    svc.stop()


def faults(db):
    with db.session() as s:
        return [(f.kind, f.state.value, f.message) for f in s.scalars(select(Fault).order_by(Fault.id))]


def test_escalation_alarm_names_the_case_by_number(paging, cases, clock, staff):
    case = cases.open_case("dora", "missing", lost_child())
    paging.page_case(case.number, "dora")
    clock.advance(minutes=10)
    [alert] = paging.tick().alerts
    [(kind, _state, message)] = faults(staff)
    assert kind == "escalation" and case.number in message and f"case {case.id}:" not in message
    assert message == f"{alert.reason} (Code Adam): supervisors, check exits"


def test_gtts_offline_while_espeak_speaks_is_no_fault(service):
    from audio.tts.base import TTSError

    chain = service.renderer.chain
    gtts = chain.engines["gtts"]
    service.renderer.chain.order = {"zh-CN": ["gtts", "espeak"], "en": ["gtts", "espeak"]}

    def offline(text, lang):
        raise TTSError("gTTS unavailable: no network")

    gtts.synthesize, gtts.available = offline, lambda: True
    gtts.voice_for = lambda lang: lang
    speech = service.renderer.speak("寻人启事", "zh-CN")  # gTTS fails, espeak-ng speaks
    assert speech.engine.startswith("espeak") and "gtts" in chain.failures
    service._check_tts()
    assert faults(service.db) == []
    espeak = chain.engines["espeak"]
    espeak_synth = espeak.synthesize
    espeak.synthesize = offline
    with pytest.raises(TTSError):
        service.renderer.speak("另一句话", "zh-CN")
    service._check_tts()  # no engine left for either language: a fault each
    rows = faults(service.db)
    assert [(k, s) for k, s, _ in rows] == [("tts_down", "raised")] * 2
    assert "zh-CN" in rows[0][2] and "en" in rows[1][2]
    espeak.synthesize = espeak_synth
    service.renderer.speak("第三句话", "zh-CN")
    service._check_tts()
    assert [(k, s) for k, s, _ in faults(service.db)] == [("tts_down", "resolved")] * 2


def test_first_run_leads_the_admin_through_the_setup_once(service):
    from broadcaster.settings import load_settings
    from broadcaster.venue import STEPS

    assert service.first_run().startswith("admin / ")
    assert service.settings.setup_pending == list(STEPS) == load_settings(service.db).setup_pending
    assert service.first_run() is None
