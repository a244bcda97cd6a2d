"""The script editor guards scheduled scripts: before saving, it lists the upcoming slots that air the
announcement; saving answers (JSON) which slots are affected; the approved version stays on air while
the new version waits, and the supervisor listens to and approves the new version's own audio."""
from __future__ import annotations

from datetime import time

from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec
from tests.web.conftest import Browser
from tests.web.test_scripts import new_script


def approve(app, sam: Browser, ann_id: int) -> str:
    heard = sam.get(f"/scripts/{ann_id}/audio").headers["X-Audio-SHA256"]
    assert sam.post(f"/approvals/announcements/{ann_id}/approve", {"sha256": heard}).status_code == 302
    return heard


def state(app, ann_id):
    a = app.extensions["pa"]
    with a.db.session() as s:
        ann = a.announcements.get(s, ann_id)
        return ann.state.value, ann.approved_hash


def test_editing_a_scheduled_script_warns_and_keeps_the_approved_version_on_air(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob, title="Closing time")
    bob.post(f"/scripts/{ann_id}/submit")
    first = approve(app, sam, ann_id)
    programmes = app.extensions["pa"].programmes
    p = programmes.create_programme("Evening", [ItemSpec("announcement", announcement_id=ann_id)])
    programmes.add_rule(p.id, RuleSpec(kind="daily", at=time(17, 30)))

    page = bob.get(f"/scripts/{ann_id}").get_data(as_text=True)
    assert 'id="slots-warning"' in page and "Evening" in page and "17:30" in page
    assert "keep airing the approved version" in page and 'id="version-note"' not in page

    resp = bob.post(f"/scripts/{ann_id}", {"title": "Closing time", "lang_1": "en", "text_1": "We close at six.",
                                           "priority": "50"}, headers={"Accept": "application/json"})
    answer = resp.get_json()
    assert resp.status_code == 200 and (answer["version_pending"], answer["version_on_air"]) == (2, 1)
    assert len(answer["affected_slots"]) == 7 and {s["programme"] for s in answer["affected_slots"]} == {"Evening"}
    assert all(s["time"] == "17:30" for s in answer["affected_slots"])
    assert state(app, ann_id) == ("draft", first)  # back for approval, the approved audio still in force
    page = bob.get(f"/scripts/{ann_id}").get_data(as_text=True)
    assert 'id="version-note"' in page and "Version 2 is not submitted yet" in page  # nobody's to approve yet

    bob.post(f"/scripts/{ann_id}/submit")
    second = approve(app, sam, ann_id)  # sam hears version 2's render, not the audio on air
    assert second != first and state(app, ann_id) == ("approved", second)
    assert 'id="version-note"' not in bob.get(f"/scripts/{ann_id}").get_data(as_text=True)


def test_the_warning_is_in_chinese_and_a_bad_edit_stores_nothing(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob)
    bob.post(f"/scripts/{ann_id}/submit")
    first = approve(app, sam, ann_id)
    programmes = app.extensions["pa"].programmes
    p = programmes.create_programme("Closing", [ItemSpec("announcement", announcement_id=ann_id)])
    programmes.add_rule(p.id, RuleSpec(kind="daily", at=time(9, 0)))
    bob.get("/lang/zh")
    page = bob.get(f"/scripts/{ann_id}").get_data(as_text=True)
    assert "以下即将到来的时段会播出这条广播" in page and "保存修改会生成新版本" in page
    resp = bob.post(f"/scripts/{ann_id}", {"title": "", "lang_1": "en", "text_1": "x"})
    assert resp.status_code == 400 and state(app, ann_id) == ("approved", first)
