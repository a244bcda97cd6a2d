"""Leftovers of issue 11 in the staff's words: the panel's error pages (404, 405, 400, 413, a stale form)
in the UI language while the JSON API keeps English problem details; the as-run and fault logs' internal
words (kinds, outcomes, fault kinds and states) shown as the staff's words in zh and en; two admins
switching each other off at once leave one active (SQLite and PostgreSQL); ``chime set`` with the
database unreachable says one line and changes nothing. Real database, real panel (Flask test client)."""
from __future__ import annotations

import re
import threading

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from broadcaster.errors import ValidationError
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.security import AuditEvent
from broadcaster.store.models.workflow import AsRun
from broadcaster.users import set_active
from tests.web.conftest import FAST_HASH, Browser

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
WERKZEUG = ("The requested URL was not found", "The method is not allowed", "The browser (or proxy) sent a request",
            "The data value transmitted exceeds the capacity limit", "The CSRF token")


def shown(resp) -> tuple[str, str]:
    html = resp.get_data(as_text=True)
    for said in WERKZEUG:
        assert said not in html, said
    title = re.search(r'<h1 id="error-title">(.*?)</h1>', html).group(1)
    return title, re.search(r'<p class="flash error" id="error-message">(.*?)</p>', html, re.S).group(1)


def test_the_panels_error_pages_are_in_chinese_with_the_staffs_words(app, make_app):
    anon = app.test_client()
    resp = anon.get("/no-such-page", headers=ZH)
    assert resp.status_code == 404
    assert shown(resp) == ("未找到", "没有这个页面，或者页面上的内容已被删除。请检查网址，或返回后从列表中选择。")
    resp = anon.post("/lang/zh", headers=ZH)  # a page that is only opened, never sent to
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"]
    assert shown(resp) == ("此处无法这样操作", "此页面不能这样使用。请返回并使用页面上的按钮。")
    ada = Browser(app, "ada")
    ada.get("/lang/zh", headers={"Referer": "http://localhost/"})
    resp = ada.post("/chimes/use", {"kind": "no-such-chime"})  # Werkzeug's own 400
    assert resp.status_code == 400
    assert shown(resp) == ("无法读取", "系统无法读取提交的内容。请返回，刷新页面后再试一次。")
    resp = app.test_client().post("/login", data={"username": "ada", "password": "x"}, headers=ZH)  # no token
    assert resp.status_code == 400
    assert shown(resp)[1] == "表单打开时间过长，或您在此期间重新登录过：请刷新页面后重新提交。"
    small = make_app(MAX_CONTENT_LENGTH=2000).test_client()
    resp = small.post("/login", data={"username": "x" * 5000}, headers=ZH)
    assert resp.status_code == 413
    assert shown(resp) == ("内容过大", "提交的内容太大。请选择较小的文件，或分次提交。")
    resp = app.test_client().get("/no-such-page")  # English when the browser asks for it
    assert shown(resp)[0] == "Not found"


def test_the_json_api_keeps_english_problem_details(app):
    resp = app.test_client().get("/api/no-such-thing", headers=ZH)
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["title"] == "Not Found" and body["detail"].startswith("The requested URL was not found")


def _log_rows(db):
    from broadcaster.logs import raise_fault

    with db.session() as s:
        for kind, outcome in (("emergency", "completed"), ("page", "interrupted"), ("programme", "refused"),
                              ("music", "cancelled"), ("announcement", "airing")):
            s.add(AsRun(ref=f"{kind}:1", title=f"item {kind}", kind=kind, zone="main", outcome=outcome))
        raise_fault(s, "hash_mismatch", "the audio changed after approval", zone="main")
        raise_fault(s, "player_lost", "no heartbeat", zone="hall")


@pytest.mark.parametrize("lang, words", [
    ("zh", ("紧急广播", "已完整播出", "寻人广播", "被打断", "节目", "播出前被拒绝", "背景音乐", "已撤下", "通知广播",
            "正在播出", "音频校验不符", "分区播放器失联", "未处理")),
    ("en", ("Emergency", "Aired in full", "Lost-person page", "Interrupted", "Programme", "Refused before air",
            "Background music", "Taken off the air", "Announcement", "On air now", "Audio check failed",
            "Zone player not answering", "Open")),
])
def test_the_logs_show_the_staffs_words_not_internal_ones(app, staff, lang, words):
    _log_rows(staff)
    sam = Browser(app, "sam")
    sam.get(f"/lang/{lang}", headers={"Referer": "http://localhost/"})
    html = sam.get("/approvals/logs").get_data(as_text=True)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    for internal in ("emergency", "page", "programme", "music", "announcement", "completed", "interrupted",
                     "refused", "cancelled", "airing", "hash_mismatch", "player_lost", "raised"):
        assert internal not in cells, internal
    for word in words:
        assert word in cells, word
    board = sam.get("/").get_data(as_text=True)  # the dashboard's open faults too
    assert "hash_mismatch" not in re.sub(r'class="[^"]*"', "", board)
    assert words[10] in board


@pytest.fixture(params=["sqlite", "postgresql"])
def two_admins(request, staff):
    db = staff if request.param == "sqlite" else request.getfixturevalue("pg_db")
    with db.session() as s:
        if request.param == "postgresql":
            s.add(User(name="ada", role=Role.ADMIN, password_hash=FAST_HASH))
        s.add(User(name="amy", role=Role.ADMIN, password_hash=FAST_HASH))
    return db


def test_two_admins_switching_each_other_off_at_once_leave_one_active(two_admins):
    db, refused = two_admins, []

    def amy_switches_off_ada():
        try:
            with db.session() as s:
                set_active(s, "amy", "ada", False)
        except ValidationError as exc:
            refused.append(exc)

    with db.session() as s:
        set_active(s, "ada", "amy", False)
        other = threading.Thread(target=amy_switches_off_ada)
        other.start()
        other.join(1.0)  # meanwhile amy, still active until this commits, switches ada off
    other.join(30)
    with db.session() as s:
        active = s.scalars(select(User.name).where(User.role == Role.ADMIN, User.active.is_(True))).all()
        logged = s.scalars(select(AuditEvent.account).where(AuditEvent.kind == "user_deactivated")).all()
    assert active == ["ada"]  # the venue keeps an admin; the refused change stored nothing
    assert logged == ["amy"]
    assert [e.fields for e in refused] == [{"active": "this is the last admin: make another user an admin first"}]


def test_chime_set_with_the_database_unreachable_says_one_line_and_changes_nothing(tmp_path, capsys):
    from audio import chimes
    from broadcaster.cli import main

    wav = tmp_path / "ding.wav"
    sf.write(wav, 0.3 * np.sin(2 * np.pi * 880 * np.arange(24000) / 48000), 48000)
    rc = main(["--db", f"sqlite:///{tmp_path}/no/such/folder/pa.sqlite3", "chime", "set", str(wav)])
    err = capsys.readouterr().err.strip()
    assert rc == 1
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("error: cannot reach the database sqlite:///") and "nothing was changed" in err
    assert not (chimes.chime_dir() / "announcement.wav").exists()  # this machine's chime is unchanged too


def test_a_supervisor_adds_an_accessory_in_the_panel_and_the_desk_pages_with_it(app):
    from broadcaster.settings import save_settings
    from broadcaster.store.models.keeping import VenueWord
    from tests.web.test_desk import LOST_CHILD
    from tests.web.test_desk_defects import open_case, text_of
    from tests.web.test_desk_keeping import rows, zh

    save_settings({"languages": ["zh-CN", "en", "ru"]})
    app.extensions["pa"].settings.languages = ["zh-CN", "en", "ru"]
    missing: set[str] = set()
    app.config["I18N_MISSING"] = missing
    sam, dora = zh(app, "sam"), Browser(app, "dora")
    assert "accessory-form" in sam.get("/vocabulary/").get_data(as_text=True)
    bad = sam.post("/vocabulary/", {"form": "accessory", "accessory_zh-CN": "滑板车", "accessory_en": "",
                                    "accessory_ru": "scooter"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and all(f'id="err-{f}"' in html for f in ("accessory_en", "accessory_ru", "zh_verb"))
    assert rows(app, VenueWord) == []
    ok = sam.post("/vocabulary/", {"form": "accessory", "accessory_zh-CN": "滑板车", "accessory_en": "scooter",
                                   "accessory_ru": "самокатом", "zh_verb": "拿着", "en_article": "1"})
    assert ok.status_code == 302
    [word] = rows(app, VenueWord)
    assert (word.key, word.names, word.forms["zh_verb"]) == (
        "scooter", {"zh-CN": "滑板车", "en": "scooter", "ru": "самокатом"}, "拿着")
    assert "随身物品" in text_of(sam.get("/vocabulary/").get_data(as_text=True))  # its kind in the staff's words
    assert 'value="scooter">滑板车</option>' in zh(app, "dora").get("/desk/").get_data(as_text=True)
    case = open_case(dora, {**LOST_CHILD, "clothing": "", "top_colour": "red", "top": "jacket", "accessory": "scooter"})
    assert "a red jacket, with a scooter" in text_of(dora.get(f"/desk/cases/{case}").get_data(as_text=True))
    assert "红色外套，拿着滑板车" in text_of(zh(app, "dora").get(f"/desk/cases/{case}").get_data(as_text=True))
    assert missing == set()
