"""The panel says clearly where an announcement stands with its approval (four-eyes, an edit voids it),
in the staff's language; a refused recording upload keeps what was typed, says why beside the field and
stores nothing. Real SQLite, the real renderer."""
from __future__ import annotations

import io
import re

from tests.web.conftest import Browser
from tests.web.test_programmes_script_versions import approve, state
from tests.web.test_scripts import SCRIPT, new_script, wav_bytes


def main(resp) -> str:
    html = resp.get_data(as_text=True)
    m = re.search(r"<main.*?</main>", html, re.S)
    return m.group(0) if m else html


def timeline(html: str) -> str:
    """The timeline table's text (the section after its heading, 时间线 in Chinese)."""
    rest = html[html.index("时间线"):]
    return re.sub(r"<[^>]+>", " ", rest[:rest.index("</table>")])


def count_announcements(app) -> int:
    from sqlalchemy import func, select

    from broadcaster.store.models.workflow import Announcement

    with app.extensions["pa"].db.session() as s:
        return s.scalar(select(func.count()).select_from(Announcement))


def test_the_author_sees_that_another_supervisor_decides_and_no_approve_button(app):
    sam, sue = Browser(app, "sam"), Browser(app, "sue")
    ann = new_script(sam, title="Own words")
    sam.post(f"/scripts/{ann}/submit")
    page = main(sam.get(f"/approvals/announcements/{ann}"))
    assert 'id="own-note"' in page and "another supervisor decides" in page
    assert 'id="approve-form"' not in page and 'id="reject-form"' not in page
    other = main(sue.get(f"/approvals/announcements/{ann}"))
    assert 'id="approve-form"' in other and 'id="own-note"' not in other
    sam.get("/lang/zh")  # a forged approval is refused in the staff's language, nothing approved
    heard = sam.get(f"/scripts/{ann}/audio").headers["X-Audio-SHA256"]
    refused = main(sam.post(f"/approvals/announcements/{ann}/approve", {"sha256": heard}))
    assert "必须由另一位主管批准" in refused and "another supervisor" not in refused
    assert state(app, ann) == ("submitted", None)


def test_an_edited_approved_script_says_it_still_has_to_be_submitted(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann = new_script(bob)
    bob.post(f"/scripts/{ann}/submit")
    first = approve(app, sam, ann)
    bob.post(f"/scripts/{ann}", dict(SCRIPT, text_2="The park closes at six."))
    assert state(app, ann) == ("draft", first)  # version 1 airs on; version 2 is nobody's to approve yet
    page = main(bob.get(f"/scripts/{ann}"))
    note = re.search(r'id="version-note">(.*?)</p>', page, re.S).group(1)
    assert "not submitted yet" in note and "Submit for approval" in note and "waiting for approval" not in note
    assert 'id="inbox"' not in main(sam.get("/approvals/"))
    bob.post(f"/scripts/{ann}/submit")
    note = re.search(r'id="version-note">(.*?)</p>', main(bob.get(f"/scripts/{ann}")), re.S).group(1)
    assert "Version 2 is waiting for approval" in note


def test_an_edit_while_submitted_says_it_left_the_inbox_and_the_supervisor_sees_why(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann = new_script(bob)
    bob.post(f"/scripts/{ann}/submit")
    resp = bob.post(f"/scripts/{ann}", dict(SCRIPT, text_2="Changed words."), follow_redirects=True)
    assert "took it out of the approval inbox" in main(resp) and state(app, ann) == ("draft", None)
    page = main(sam.get(f"/approvals/announcements/{ann}"))
    assert 'id="not-submitted-note"' in page and 'id="approve-form"' not in page


def test_the_timeline_is_in_chinese_with_no_stored_states_or_notes(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann = new_script(bob)
    bob.post(f"/scripts/{ann}/submit")
    sam.post(f"/approvals/announcements/{ann}/reject", {"reason": "太长了"})
    for who, url in ((bob, f"/scripts/{ann}"), (sam, f"/approvals/announcements/{ann}")):
        who.get("/lang/zh")
        rows = timeline(main(who.get(url)))
        for raw in ("draft", "submitted", "rejected", "created", "for approval"):
            assert raw not in rows, (url, raw, rows)
        assert "草稿 → 已提交" in rows and "已提交审批" in rows and "已驳回：太长了" in rows


def upload(b, title, data):
    return b.client.post("/scripts/recording", data={"csrf_token": b.token, "title": title, "priority": "announcement",
                                                     "audio": (io.BytesIO(data), "r.wav")},
                         content_type="multipart/form-data")


def test_a_refused_recording_keeps_the_title_says_why_beside_the_file_and_stores_nothing(app):
    bob = Browser(app, "bob")
    bob.get("/lang/zh")
    before = count_announcements(app)
    resp = upload(bob, "闭园录音", b"not audio at all")
    page = main(resp)
    assert resp.status_code == 400 and count_announcements(app) == before
    assert 'value="闭园录音"' in page
    err = re.search(r'id="err-audio">(.*?)</span>', page, re.S).group(1)
    assert "无法读取" in err or "WAV" in err
    assert "BytesIO" not in page and "recording:" not in page and "not a readable" not in page
    both = main(upload(bob, "", b""))  # no title and no file: both errors at once
    assert 'id="err-title"' in both and 'id="err-audio"' in both and count_announcements(app) == before
    ok = upload(bob, "闭园录音", wav_bytes(1.0))
    assert ok.status_code == 302 and count_announcements(app) == before + 1


def test_before_an_edit_the_editor_says_it_voids_the_submission_or_the_approval(app):
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann = new_script(bob)
    assert 'id="edit-voids"' not in main(bob.get(f"/scripts/{ann}"))  # a draft: nothing to lose
    bob.post(f"/scripts/{ann}/submit")
    bob.get("/lang/zh")
    note = re.search(r'id="edit-voids"[^>]*>(.*?)</p>', main(bob.get(f"/scripts/{ann}")), re.S).group(1)
    assert "退出待审批列表" in note
    approve(app, sam, ann)
    note = re.search(r'id="edit-voids"[^>]*>(.*?)</p>', main(bob.get(f"/scripts/{ann}")), re.S).group(1)
    assert "主管批准新的音频之前，不能播出" in note


def test_the_players_outcomes_in_the_timeline_are_said_in_chinese(app):
    from web.annwords import note

    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "zh"
        assert note("completed in main") == "在 全场 播完"  # the default zone by its staff word
        assert note("failed in lobby: no such page template: x") == "在 lobby 播出失败：没有这个广播模板：x"
        assert note("rejected: 太长了") == "已驳回：太长了"



def test_saving_an_approved_script_unchanged_says_so_and_it_stays_approved(app):
    """The editor saved as it was: no new version, still approved, and the panel says nothing changed
    (before: a new version in draft, waiting to be submitted and approved again)."""
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann = new_script(bob)
    bob.post(f"/scripts/{ann}/submit")
    first = approve(app, sam, ann)
    page = main(bob.post(f"/scripts/{ann}", dict(SCRIPT), follow_redirects=True))
    assert state(app, ann) == ("approved", first)
    assert "Nothing was changed" in page and "not submitted yet" not in page
