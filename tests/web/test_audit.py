"""The audit log of security events: each event is stored with who, when and what, and supervisors read it
at /audit (filters, zh/en, no internal ids or hashes, 390 px in real Chromium)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from broadcaster.store.models.security import AuditEvent
from tests.web.conftest import PASSWORD, Browser
from tests.web.test_api import basic
from tests.web.test_desk import LOST_CHILD
from tests.web.test_scripts import new_script


def events(app, kind=None):
    with app.extensions["pa"].db.session() as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        if kind:
            q = q.where(AuditEvent.kind == kind)
        rows = s.scalars(q).all()
        s.expunge_all()
        return rows


def only(app, kind) -> AuditEvent:
    rows = events(app, kind)
    assert len(rows) == 1, (kind, [(r.actor, r.account) for r in rows])
    assert rows[0].at is not None and datetime.now(timezone.utc) - rows[0].at < timedelta(minutes=5)
    return rows[0]


def test_log_ins_failures_lock_outs_and_logouts_are_logged(app):
    dora = Browser(app, "dora")
    e = only(app, "login")
    assert (e.actor, e.account, e.address) == ("dora", "dora", "127.0.0.1")
    dora.post("/logout")
    assert only(app, "logout").actor == "dora"
    for _ in range(5):
        Browser(app).login("Sam", "nope")
    failed = events(app, "login_failed")
    assert len(failed) == 5 and {(f.actor, f.account) for f in failed} == {("", "sam")}
    assert only(app, "locked_out").account == "sam"
    app.test_client().get("/api/cases", headers=basic("bob", "wrong"))
    assert events(app, "login_failed")[-1].detail == "API"


def test_the_per_address_lock_out_is_logged_once(make_app, approved_templates):
    app = make_app(LOGIN_FAIL_ADDRESS_LIMIT=4)
    for i in range(6):
        Browser(app).login(f"guess{i}", "nope")
    assert only(app, "address_locked_out").address == "127.0.0.1"


def test_password_and_account_changes_are_logged(app):
    dora, ada = Browser(app, "dora"), Browser(app, "ada")
    dora.post("/account/password", {"current": PASSWORD, "new": "a new secret 42", "repeat": "a new secret 42"})
    assert only(app, "password_changed").actor == "dora"
    ada.post("/admin/users/sam/password", {"password": "reset by ada 1"})
    e = only(app, "password_reset")
    assert (e.actor, e.account) == ("ada", "sam")
    ada.post("/admin/users", {"name": "newbie", "role": "desk", "password": "welcome to it 1"})
    e = only(app, "user_added")
    assert (e.actor, e.account, e.detail) == ("ada", "newbie", "desk")
    ada.post("/admin/users/bob/active", {"active": "0"})
    e = only(app, "user_deactivated")
    assert (e.actor, e.account) == ("ada", "bob")
    ada.post("/admin/users/bob/active", {"active": "1"})
    assert only(app, "user_activated").account == "bob"
    ada.post("/admin/users", {"name": "x", "role": "desk", "password": "short"})  # refused: nothing logged
    assert len(events(app, "user_added")) == 1


def test_approvals_and_rejections_are_logged(app):
    bob, sam, dora = Browser(app, "bob"), Browser(app, "sam"), Browser(app, "dora")
    first, second = new_script(bob), new_script(bob, title="Parade")
    for ann_id in (first, second):
        bob.post(f"/scripts/{ann_id}/submit")
    heard = sam.get(f"/scripts/{first}/audio").headers["X-Audio-SHA256"]
    assert sam.post(f"/approvals/announcements/{first}/approve", {"sha256": heard}).status_code == 302
    e = only(app, "announcement_approved")
    assert (e.actor, e.subject, e.detail) == ("sam", "Closing", "1")
    sam.post(f"/approvals/announcements/{second}/reject", {"reason": "Say when"})
    e = only(app, "announcement_rejected")
    assert (e.actor, e.subject, e.detail) == ("sam", "Parade", "Say when")
    paging = app.extensions["pa"].paging
    numbers = [dora.post("/desk/", dict(LOST_CHILD, extra_text=extra)).headers["Location"].rsplit("/", 1)[1]
               for extra in ("Holding a blue balloon.", "Wearing a cap.")]
    pages = [paging.pages(case_number=n)[0].id for n in numbers]
    assert sam.post(f"/approvals/pages/{pages[0]}/approve").status_code == 302
    e = only(app, "page_approved")
    assert e.actor == "sam" and e.subject.startswith(numbers[0])
    assert sam.post(f"/approvals/pages/{pages[1]}/reject", {"reason": "No caps here"}).status_code == 302
    e = only(app, "page_rejected")
    assert (e.actor, e.detail) == ("sam", "No caps here") and e.subject.startswith(numbers[1])


def test_page_template_approvals_are_logged_and_found_by_the_filter(app):
    templates = app.extensions["pa"].templates
    tpl = templates.edit("lost_child", "dora", title="Balloon lost",
                         texts={"zh-CN": "请注意，一个{age}岁的孩子走失了。", "en": "Attention: a child of {age} is missing."})
    sam = Browser(app, "sam")
    assert sam.post(f"/approvals/templates/{tpl.id}/approve").status_code == 302
    [e] = [e for e in events(app, "template_approved") if e.subject == "Balloon lost"]  # (and the defaults')
    assert e.actor == "sam" and e.detail == "version 2"  # the new wording of the approved version 1
    templates.retire(tpl.id, "sam")
    assert only(app, "template_retired").subject == "Balloon lost"
    html = sam.get("/audit?kind=template_approved").get_data(as_text=True)
    assert 'value="template_approved"' in html and "Balloon lost" in html


@pytest.mark.parametrize("user,code", [("dora", 403), ("bob", 403), ("sam", 200), ("ada", 200)])
def test_only_supervisors_and_the_admin_read_the_audit_log(app, user, code):
    b = Browser(app, user)
    assert b.get("/audit").status_code == code
    assert ('id="audit-link"' in b.get("/").get_data(as_text=True)) is (code == 200)


def test_the_audit_page_filters_and_shows_no_ids_or_hashes(app):
    Browser(app).login("dora", "nope")
    ada = Browser(app, "ada")
    ada.post("/admin/users/bob/active", {"active": "0"})
    sam = Browser(app, "sam")
    html = sam.get("/audit").get_data(as_text=True)
    assert "Failed log-in</b>" in html and "Account switched off</b>" in html and "Logged in</b>" in html
    shown = re.sub(r"<[^>]+>", " ", html)  # what staff read
    assert not re.search(r"\b[0-9a-f]{32,}\b", html)  # no token hashes
    assert "login_failed" not in shown and "user_deactivated" not in shown  # staff words, not kinds
    html = sam.get("/audit?kind=user_deactivated").get_data(as_text=True)
    assert "Account switched off</b>" in html and "Failed log-in</b>" not in html
    html = sam.get("/audit?user=dora").get_data(as_text=True)
    assert "Failed log-in</b>" in html and "Account switched off</b>" not in html
    today = datetime.now(app.extensions["pa"].tz).date()
    assert "Failed log-in</b>" in sam.get(f"/audit?from={today}&to={today}").get_data(as_text=True)
    past = sam.get(f"/audit?to={today - timedelta(days=1)}").get_data(as_text=True)
    assert 'id="audit-empty"' in past
    bad = sam.get("/audit?from=yesterday&kind=junk")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert 'id="err-from"' in text and 'id="err-kind"' in text
    sam.get("/lang/zh")
    html = sam.get("/audit").get_data(as_text=True)
    assert "安全日志" in html and "登录失败</b>" in html and "停用账户</b>" in html


def test_audit_page_at_390_px_in_chromium(make_app, approved_templates):
    from tests.web.test_browser import ARGS, CHROMIUM, login, shot
    from tests.web.test_setup_browser import no_side_scroll

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    from broadcaster.commands.serve import Panel

    app = make_app()
    Browser(app).login("intruder", "nope")
    Browser(app, "ada").post("/admin/users/bob/active", {"active": "0"})
    panel = Panel(app, "127.0.0.1", 0)
    base = panel.url.rstrip("/")
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
            pg = ctx.new_page()
            login(pg, base, "sam")
            pg.goto(f"{base}/audit")
            assert "安全日志" in pg.inner_text("h1")
            assert "登录失败" in pg.inner_text("#audit") and "intruder" in pg.inner_text("#audit")
            assert no_side_scroll(pg)
            shot(pg, "audit-zh-390")  # docs/screenshots only with PA_SCREENSHOTS=1
            browser.close()
    finally:
        panel.stop()
