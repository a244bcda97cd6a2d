"""What airs, in the staff's words (zh): the dashboard's now playing says a page's kind (寻人广播, 失物招领广播)
and its case number, never its priority or the player's sink string; the as-run log likewise."""
from __future__ import annotations

from broadcaster.clock import utcnow
from broadcaster.store.models.workflow import AsRun
from tests.web.test_desk_keeping import zh

ZONES = {"main": {"player": "vm:main", "running": True, "device_ok": True, "sink": "wav:/tmp/t11/main-air.wav",
                  "last_seen": None, "music": None, "music_gain": 1.0, "waiting_count": 1,
                  "now": {"id": 1, "ref": "page:1", "kind": "page", "title": "Page 20261127-004 (missing)",
                          "position": 26.25, "priority": 80},
                  "waiting": [{"id": 2, "ref": "page:2", "kind": "page", "title": "Page 20261127-001 (lost_property)",
                               "priority": 80, "state": "waiting"}]}}


def test_now_playing_says_the_kind_and_number_not_priorities_or_sinks(app, monkeypatch):
    monkeypatch.setattr(app.extensions["pa"], "now_playing", lambda *a, **k: ZONES)
    html = zh(app, "dora").get("/").get_data(as_text=True)
    now = html[html.index('id="now"'):]
    assert "寻人广播</span> <b class=\"now-title\">20261127-004</b>" in now and "失物招领广播" in now
    for internal in ("P80", "(missing)", "(lost_property)", "wav:/tmp", "Page ", "vm:main"):
        assert internal not in html, internal
    assert "录制到文件" in html


def test_the_as_run_log_says_a_lost_property_page_as_one(app, staff):
    with staff.session() as s:
        s.add(AsRun(ref="page:2", title="Page 20261127-001 (lost_property)", kind="page", zone="main", priority=80,
                    started_at=utcnow()))
        s.add(AsRun(ref="page:1", title="Page #1 (missing)", kind="page", zone="main", priority=80, started_at=utcnow()))
    html = zh(app, "sam").get("/approvals/logs").get_data(as_text=True)
    table = html[html.index('id="asrun"'):]
    assert "失物招领广播" in table and "<b>20261127-001</b>" in table and "寻人广播" in table
    assert "(lost_property)" not in table and "Page #" not in table and "<th>P</th>" not in table


def test_a_lost_property_page_airs_titled_by_its_item_number(make_app, approved_templates):
    from broadcaster.store.models.onair import Airing
    from tests.desk.test_bilingual_pages import venue
    from tests.web.test_desk_keeping import rows
    from tests.web.test_desk_lost_announce import WALLET, register, seen

    venue("zh-CN", "en")
    app = make_app()
    dora = zh(app, "dora")
    number = register(dora, app, WALLET)
    shown = dora.get(f"/desk/lost/{number}/announce").get_data(as_text=True)
    picks = {"category": "wallet", "colour": "black", "where_found": "旋转木马", "seen": seen(shown)}
    assert dora.post(f"/desk/lost/{number}/announce", picks).status_code == 302
    assert {a.title for a in rows(app, Airing)} == {f"Page {number} (lost_property)"}
