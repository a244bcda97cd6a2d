"""Every fault on the panel (the dashboard's open faults, the fault log) reads in the staff's words in zh and
en: what happened and what to do as its headline, never a device's own error, a hash, a player's name, an
engine's name or a Python exception; that text stays for the technician in a folded "Technical detail",
and as stored in the row, the CSV and the API. Each fault is raised in a real database, by the code that
raises it where a test can run it (a WAV recording whose folder is deleted, a player whose heartbeat stops,
the schedule's missed slot, the media check)."""
from __future__ import annotations

import html as htmllib
import re
import shutil
import time
from datetime import UTC, datetime, timedelta

import pytest

from broadcaster import logs
from tests.web.conftest import Browser
from tests.web.test_api import basic


def text_of(html: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def faults_said(html: str) -> list[tuple[str, str, str]]:
    """Each fault of the page's list (id="faults") as (headline, technical detail, the row's text outside the
    detail), in the page's order."""
    tag = re.search(r'<(\w+)[^>]*id="faults"', html)[1]  # the board's <ul>, the log's <table>
    part = html[html.index('id="faults"'):]
    part = part[:part.index(f"</{tag}>")]
    rows = [r for r in re.split(r'<li class="fault|<tr>', part)[1:] if "fault-said" in r]
    out = []
    for row in rows:
        head = re.search(r'<span class="fault-said">(.*?)</span>', row, re.S)
        detail = re.search(r'<details class="tech">(.*?)</details>', row, re.S)
        outside = re.sub(r'<details class="tech">.*?</details>', " ", row, flags=re.S)
        out.append((text_of(head[1]) if head else "", text_of(detail[1]) if detail else "", text_of(outside)))
    return out


def said(app, lang: str) -> dict[str, list[tuple[str, str, str]]]:
    """The faults as sam (a supervisor) reads them in ``lang``: on the dashboard and in the fault log."""
    sam = Browser(app, "sam")
    sam.get(f"/lang/{lang}")
    return {page: faults_said(sam.get(page).get_data(as_text=True)) for page in ("/", "/approvals/logs")}


def one(app, lang: str) -> tuple[str, str, str]:
    """The one fault, the same on both pages."""
    pages = said(app, lang)
    board, log = pages["/"], pages["/approvals/logs"]
    assert len(board) == 1 and len(log) == 1 and board[0][:2] == log[0][:2], pages
    return board[0][0], board[0][1], board[0][2] + " " + log[0][2]


def no_engineering(text: str) -> None:
    """No hash, device error, engine, player name, zone id or exception in the staff's headline."""
    for word in ("PaError", "OutputStream", "wav:", "Errno", "heartbeat", "UTC", "lobby-pc", "espeak", "piper",
                 "Error", "Exception", "hash", "sha", "#", "main"):
        assert word not in text, (word, text)
    assert not re.search(r"[0-9a-f]{12,}", text), text


# -- device_lost ----------------------------------------------------------------------------------
def a_lost_wav_recording(db, tmp_path) -> None:
    """A zone's output is a WAV recording; its folder is deleted while the zone airs: the player's own
    device_lost fault ("zone main: wav:/.../main.wav: its folder was deleted")."""
    from sqlalchemy import select

    from audio.sinks import WavFileSink
    from broadcaster.onair import airings
    from broadcaster.onair.pieces import MediaSource
    from broadcaster.onair.player import ZonePlayer
    from broadcaster.service import register_areas
    from broadcaster.store.models.workflow import Fault

    register_areas()
    folder = tmp_path / "recordings"
    player = ZonePlayer(db, {"main": WavFileSink(folder / "main.wav", realtime=True)},
                        MediaSource(db, tmp_path / "media", tmp_path / "player-cache"), name="panel-wav", poll_s=0.05)
    player.engine.retry_backoff = (0.02, 0.32)

    def chime(n: int) -> None:
        with db.session() as s:
            airings.request(s, airings.Request(key=f"chime:{n}", ref=f"programme:{n}", kind="programme",
                                               title=f"Chime {n}", zones=["main"], priority=30,
                                               pieces=[{"type": "chime", "name": "programme"}]), db.signals)

    def wait(pred, what):
        deadline = time.monotonic() + 30
        while not pred():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    player.start()
    try:
        chime(1)
        wait(lambda: (folder / "main.wav").exists() and (folder / "main.wav").stat().st_size > 1000, "the recording")
        shutil.rmtree(folder)
        chime(2)
        with db.session() as s:
            wait(lambda: s.scalars(select(Fault).where(Fault.kind == "device_lost")).first(), "the fault")
    finally:
        player.stop()


@pytest.mark.parametrize("lang, headline, label", [
    ("zh", "音响设备无法使用：请检查音箱的电源和线缆，或联系技术人员。", "技术细节"),
    ("en", "The sound device cannot be used: check the speakers' power and cable, or call the technician.",
     "Technical detail"),
])
def test_a_lost_sound_device_says_what_to_check_and_keeps_the_devices_text_for_the_technician(
        app, staff, tmp_path, lang, headline, label):
    from broadcaster.store.models.workflow import Fault

    a_lost_wav_recording(staff, tmp_path)
    with staff.session() as s:
        stored = s.query(Fault).one().message
    device_text = stored.removeprefix("zone main: ")
    assert "wav:" in device_text and "deleted" in device_text or "gone" in device_text, stored
    head, detail, outside = one(app, lang)
    assert head == headline
    no_engineering(head)
    assert detail.startswith(label) and device_text in detail  # the device's own words, folded, labelled
    assert device_text not in outside and "wav:" not in outside
    sam = Browser(app, "sam")  # the row, its CSV and the API keep the message as stored
    assert stored in sam.get("/approvals/logs/faults.csv").get_data(as_text=True)
    api = app.test_client().get("/api/faults", headers=basic("sam")).get_json()
    assert [f["message"] for f in api["faults"]] == [stored]


def test_portaudios_error_is_never_the_headline(app, staff):
    """The text PortAudio gives when the device is taken (as the player stores it)."""
    pa = "Error opening OutputStream: Device unavailable [PaErrorCode -9985]"
    with staff.session() as s:
        logs.raise_fault(s, "device_lost", f"zone main: cannot open audio device 'hw:1': {pa}", zone="main")
    for lang, headline in (("zh", "音响设备无法使用"), ("en", "The sound device cannot be used")):
        head, detail, outside = one(app, lang)
        assert head.startswith(headline) and pa in detail and "PaError" not in outside


# -- missed_slot ----------------------------------------------------------------------------------
MISSED = [  # the reasons broadcaster.schedule stores, as it writes them
    ("late by 95s, beyond misfire grace 60s", "系统太忙，没能按时开始", "the system was too busy to start it in time"),
    ("no scheduler running (last seen 2026-11-27 06:00:00Z); 7200s late, grace 60s", "当时系统没有运行",
     "the system was not running then"),
    ("refused in main: refused at air time: announcement #3 is draft; approval changed since it was queued",
     "其中有一条通知未获批准", "an announcement in it is not approved"),
    ("expired in main: not after 2026-11-27T08:05:00+00:00", "没能按时开始（该分区正忙，或音响设备无法使用）",
     "it could not start in time"),
    ("failed in main: cannot build: hash mismatch: audio 0123456789abcdef unreadable (Errno 2)",
     "它的声音与审批通过的不一致", "its sound was not the approved sound"),
    ("refused at air time: no programme #12", "节目已删除", "the programme was deleted"),
    ("submit failed: OperationalError('database is locked')", "系统无法播出它", "the system could not put it on the air"),
]


@pytest.mark.parametrize("reason, zh, en", MISSED)
def test_a_missed_programme_says_when_in_venue_time_and_why_in_staff_words(app, staff, reason, zh, en):
    from broadcaster.schedule import store

    at = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    with staff.session() as s:
        store.log_missed(s, "7:20261127T0800", at, None, "Morning welcome", 7, reason)
    venue = app.extensions["pa"].tz
    hhmm = at.astimezone(venue).strftime("%H:%M")
    assert hhmm != "08:00"  # the venue is not on UTC, or the time proves nothing
    for lang, why, words in (("zh", zh, "Morning welcome 未在 "), ("en", en, "Morning welcome did not air at ")):
        head, detail, outside = one(app, lang)
        assert head.startswith(words) and hhmm in head and why in head, (lang, head)
        no_engineering(head.replace("Morning welcome", ""))
        assert reason.split(":")[0] in detail or reason[:20] in detail, detail  # as the scheduler wrote it
        assert "2026-11-27 " not in head and "did not air" not in (head if lang == "zh" else "")


# -- the other kinds ------------------------------------------------------------------------------
def test_a_lost_player_says_when_it_stopped_in_venue_time_not_its_name(app, staff):
    from broadcaster.onair.leader import lost_players
    from broadcaster.store.models.onair import PlayerStatus

    beat = datetime(2026, 11, 27, 5, 17, 51, tzinfo=UTC)
    with staff.session() as s:
        s.add(PlayerStatus(name="lobby-pc", zones=["main"], heartbeat_at=beat, now={}, stopped=False))
    lost_players(staff, beat + timedelta(seconds=10))
    at = beat.astimezone(app.extensions["pa"].tz).strftime("%H:%M:%S")
    for lang, words in (("zh", f"该分区的播放电脑自 {at} 起没有应答"), ("en", f"This zone's player stopped answering at {at}")):
        head, detail, _ = one(app, lang)
        assert head.startswith(words), head
        no_engineering(head)
        assert "lobby-pc" in detail and at in detail


def test_an_audio_check_that_fails_says_nothing_aired_not_the_hash(app, staff, tmp_path):
    from broadcaster.onair.pieces import HashMismatch, MediaSource

    with pytest.raises(HashMismatch) as exc:  # the player's own check: media it cannot find
        MediaSource(staff, tmp_path / "media", tmp_path / "cache").audio("ab" * 32)
    with staff.session() as s:
        logs.raise_fault(s, "hash_mismatch", f"cannot build: {exc.value}", zone="main", ref="announcement:4")
    for lang, words in (("zh", "要播出的声音与审批通过的不一致，所以没有播出"),
                        ("en", "The sound about to air was not the approved sound, so it was not aired")):
        head, detail, _ = one(app, lang)
        assert head.startswith(words)
        no_engineering(head)
        assert "abababababababab" in detail


def test_a_changed_air_log_recording_says_it_is_not_played_back(app, staff):
    with staff.session() as s:  # as broadcaster.playback writes it
        logs.raise_fault(s, "hash_mismatch", "zone main: air log file 20261127-0800.flac was changed after it was "
                         "stored (sha256 0123456789abcdef0123)", zone="main", ref="airlog:0123456789abcdef")
    for lang, words in (("zh", "播出录音在保存后被改动过，所以不能回放"),
                        ("en", "A recording of what aired was changed after it was kept, so it is not played back")):
        head, detail, _ = one(app, lang)
        assert head.startswith(words) and "20261127-0800.flac" in detail
        no_engineering(head)


@pytest.mark.parametrize("message", [
    "no speech engine can speak zh-CN now (espeak-ng: espeak-ng exited 1; gtts: ConnectionError())",
    "no speech engine here can speak zh-CN: LookupError('no voice for zh-CN')",
])
def test_speech_that_cannot_be_made_names_the_language_not_the_engine(app, staff, message):
    with staff.session() as s:  # as broadcaster.voices.mute_languages says it
        logs.raise_fault(s, "tts_down", message, ref="tts:zh-CN")
    for lang, words in (("zh", "系统现在无法说普通话"), ("en", "The system cannot speak Mandarin now")):
        head, detail, _ = one(app, lang)
        assert head.startswith(words), head
        no_engineering(head)
        assert "espeak" in detail or "LookupError" in detail


@pytest.mark.parametrize("kind, zh, en", [
    ("render_failed", "通知的语音无法生成：请联系技术人员。", "The speech of an announcement could not be made"),
    ("other", "系统有一处没有正常工作", "Something did not work as it should"),
])
def test_the_other_kinds_say_what_to_do(app, staff, kind, zh, en):
    with staff.session() as s:
        logs.raise_fault(s, kind, "RuntimeError: piper exited with code -9 on sentence 0x7f3a9c", zone="main")
    for lang, words in (("zh", zh), ("en", en)):
        head, detail, _ = one(app, lang)
        assert head.startswith(words) and "RuntimeError" in detail
        no_engineering(head)


def test_an_escalation_says_the_case_and_what_supervisors_do_with_nothing_folded(app, staff):
    from types import SimpleNamespace

    from broadcaster.paging.drafts import escalation_reason
    from broadcaster.store.models.cases import CaseKind

    case = SimpleNamespace(kind=CaseKind.MISSING, number="20261127-004", meeting_point=None)
    with staff.session() as s:  # as broadcaster.service writes it
        logs.raise_fault(s, "escalation", escalation_reason(case, 10) + " (Code Adam): supervisors, check exits",
                         ref="case:20261127-004")
    for lang, words in (("zh", "案件 20261127-004：首次广播 10 分钟后仍未找到"),
                        ("en", "case 20261127-004: still missing 10 min after the first page")):
        head, detail, _ = one(app, lang)
        assert head.startswith(words) and detail == ""
