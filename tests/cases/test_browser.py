"""End to end in headless Chromium against the panel served as `broadcaster serve` serves it: a complaint
from receipt to its closed follow-up; screenshots at 390 px (a phone) and 1280 px go to
docs/screenshots/ (cases-*.png) with PA_SCREENSHOTS=1."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from broadcaster.store.models.desk import Complaint
from tests.web.conftest import wait_js  # noqa: E402
from tests.web.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture
def server(make_app):
    from broadcaster.commands.serve import Panel

    app = make_app()
    panel = Panel(app, "127.0.0.1", 0)
    yield panel.url.rstrip("/"), app
    panel.stop()


@pytest.fixture(scope="module")
def chromium():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def new_page(chromium, width=1280, lang="en-GB"):
    ctx = chromium.new_context(viewport={"width": width, "height": 860}, locale=lang, bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    return pg


def login(page, base, name):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/")


def shot(page, name):
    """The tracked screenshots in docs/ are rewritten only on request (PA_SCREENSHOTS=1); otherwise they go
    to /tmp/pa-screenshots, to look at."""
    folder = SHOTS if os.environ.get("PA_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "pa-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def both_widths(chromium, base, name, url, user="dora", zh=False):
    """Screenshots of ``url`` at 1280 and 390 px; the narrow one must not scroll sideways."""
    for width in (1280, 390):
        pg = new_page(chromium, width)
        login(pg, base, user)
        if zh:
            pg.goto(f"{base}/lang/zh")
        pg.goto(f"{base}{url}")
        if width == 390:
            assert pg.evaluate("document.documentElement.scrollWidth") <= 392, f"{url} scrolls sideways at 390 px"
        shot(pg, f"{name}-{width}")
        pg.context.close()


def test_complaint_from_receipt_to_closed_follow_up(server, chromium):
    base, app = server
    page = new_page(chromium)
    login(page, base, "dora")
    page.goto(f"{base}/cases/complaints/")
    page.click("#complaint-form button[type=submit]")  # nothing filled in: every error at once
    page.wait_for_selector("#err-matter")
    for field in ("channel", "category", "matter"):
        assert page.is_visible(f"#err-{field}")
    shot(page, "cases-complaint-errors-1280")
    page.select_option("#f-channel", "in_person")
    page.select_option("#f-category", "service_attitude")
    page.fill("#f-matter", "售票员态度生硬 / the ticket seller was rude")
    page.fill("#f-visitor_name", "刘先生")
    page.fill("#f-visitor_contact", "13700000000")
    page.click("#complaint-form button[type=submit]")
    page.wait_for_selector("#complaint-number")
    number = page.inner_text("#complaint-number")
    page.fill("#handle-form #f-department", "票务部 Ticketing")
    page.click("#handle-form button")
    page.wait_for_selector("#step-form")
    page.fill("#step-form textarea", "talked to the ticket office lead")
    page.click("#step-form button")
    page.wait_for_selector("#answer-form")
    page.fill("#answer-form textarea", "致歉并安排服务培训 / apologised; staff retrained")
    page.click("#answer-form button")
    page.wait_for_selector("#visit-link")
    page.goto(f"{base}/cases/")
    assert number in page.inner_text("#visits-due")
    shot(page, "cases-board-1280")
    page.goto(f"{base}/cases/complaints/{number}")
    page.click("#visit-link")
    page.select_option("#f-satisfaction", "4")
    page.select_option("#f-attitude", "4")
    page.select_option("#f-timeliness", "5")
    page.fill("#f-remarks", "满意")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#close-form")
    assert "followed" in page.inner_text("#complaint-state").lower()
    page.click("#close-form button")
    wait_js(page, "document.querySelector('#complaint-state').textContent.toLowerCase().includes('closed')")
    shot(page, "cases-complaint-closed-1280")
    with app.extensions["pa"].db.session() as s:
        c = s.scalar(select(Complaint).where(Complaint.number == number))
        assert c.state.value == "closed" and c.department == "票务部 Ticketing"
    page.context.close()
    both_widths(chromium, base, "cases-complaint-zh", f"/cases/complaints/{number}", zh=True)
    both_widths(chromium, base, "cases-complaints-zh", "/cases/complaints/", zh=True)
    both_widths(chromium, base, "cases-board", "/cases/")


@pytest.fixture
def on_air(staff, tmp_path, renderer):
    """A started zone player for zone "main" airing in real time (the handover's test tone)."""
    from tests.conftest import OnAir

    air = OnAir(staff, tmp_path, realtime=True, name="handover-test-player").start()
    yield air
    air.stop()


def test_handover_signed_by_two_users_after_its_pa_check(server, chromium, on_air):
    base, app = server
    dora = new_page(chromium)
    login(dora, base, "dora")
    dora.goto(f"{base}/cases/handover/")
    dora.fill("#f-shift", "早班 → 中班 day → evening")
    dora.fill("#f-notes", "对讲机 3 号电量低 / radio 3 battery low")
    dora.click("#handover-form button[type=submit]")
    dora.wait_for_selector("#checklist")
    hid = dora.url.rstrip("/").rsplit("/", 1)[1]
    dora.click("#pa-check-form button")
    dora.wait_for_selector("#line-player-main .check-ok")
    assert dora.is_visible("#line-speech-zh-CN .check-ok") and dora.is_visible("#line-speech-en .check-ok")
    dora.click("#tone-form button")
    for _ in range(100):  # the tone airs in real time; the line follows its airing
        if dora.query_selector("#line-tone-main .check-ok"):
            break
        dora.wait_for_timeout(200)
        dora.goto(f"{base}/cases/handover/{hid}")
    assert dora.query_selector("#line-tone-main .check-ok")
    for line in ("desk_tidy", "log_read", "lost_store", "radios"):
        dora.check(f"#line-{line} input[value=ok]")
    dora.check("#line-keys input[value=cross]")
    dora.click("#checklist-form button[type=submit]")
    dora.wait_for_selector("#sign-form")
    dora.click("#sign-form button")  # an unexplained cross: refused, the error beside the line
    dora.wait_for_selector("#sign-refused")
    assert dora.is_visible("#line-keys .field-error")
    shot(dora, "cases-handover-refused-1280")
    dora.fill("#line-keys input[type=text], #line-keys input:not([type])", "7 号钥匙在保安部，20:00 归还")
    dora.click("#checklist-form button[type=submit]")
    dora.wait_for_selector("#sign-form")
    dora.click("#sign-form button")
    dora.wait_for_selector("#wait-incoming")
    dan = new_page(chromium)
    login(dan, base, "dan")
    dan.goto(f"{base}/cases/handover/{hid}")
    dan.click("#sign-form button")
    dan.wait_for_selector("#signed-both")
    shot(dan, "cases-handover-signed-1280")
    from broadcaster.store.models.desk import Handover

    with app.extensions["pa"].db.session() as s:
        h = s.get(Handover, int(hid))
        assert h.outgoing_signed_at and h.incoming_signed_at and h.outgoing_id != h.incoming_id
    dora.context.close()
    dan.context.close()
    both_widths(chromium, base, "cases-handover-zh", f"/cases/handover/{hid}", zh=True)


def test_monthly_report_shows_charts_of_the_seeded_month(server, chromium, staff):
    from tests.clock import ManualClock
    from tests.cases.seed import seed_month

    base, app = server
    seed_month(staff, ManualClock())
    page = new_page(chromium)
    login(page, base, "sam")
    page.goto(f"{base}/cases/report/?month=2026-11")
    assert page.locator("svg.chart").count() == 4
    assert page.locator("#chart-2 rect").count() == 5  # one bar per complaint category
    assert "2026-11" in page.inner_text("#report-month")
    page.context.close()
    phone = new_page(chromium, 390)
    login(phone, base, "sam")
    phone.goto(f"{base}/lang/zh")
    phone.goto(f"{base}/cases/report/?month=2026-11")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 392
    # the figures stay a table on a phone: each measure and its value on one line, grouped by case kind
    assert phone.evaluate("""[...document.querySelectorAll('#report-table tr')].filter(r => r.cells.length == 2)
        .every(r => Math.abs(r.cells[0].getBoundingClientRect().top - r.cells[1].getBoundingClientRect().top) < 2)""")
    assert phone.locator("#report-table th[scope=rowgroup]").count() == 4
    assert "未联系上的回访" in phone.inner_text("#report-table")
    shot(phone, "cases-report-table-zh-390")
    phone.context.close()
    both_widths(chromium, base, "cases-report", "/cases/report/?month=2026-11", user="sam")
    both_widths(chromium, base, "cases-report-zh", "/cases/report/?month=2026-11", user="sam", zh=True)
    both_widths(chromium, base, "cases-incidents-zh", "/cases/incidents/", zh=True)


def test_incident_on_a_phone(server, chromium):
    """At 390 px: every error beside its field, then the report and its steps (Chinese UI)."""
    base, app = server
    page = new_page(chromium, 390)
    login(page, base, "dora")
    page.goto(f"{base}/lang/zh")
    page.goto(f"{base}/cases/incidents/")
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#err-place")
    assert page.is_visible("#err-injury")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    shot(page, "cases-incident-errors-zh-390")
    page.fill("#f-place", "攀岩墙 climbing wall")
    page.fill("#f-injury", "摔倒，手腕疼痛")
    page.fill("#f-visitor_name", "孙女士")
    page.click("#incident-form button[type=submit]")
    page.wait_for_selector("#incident-number")
    page.select_option("#f-step", "first_aid")
    page.fill("#f-detail", "冰敷，固定")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("#steps tbody tr:nth-child(2)")
    page.select_option("#f-step", "hospital")
    page.click("#step-form button[type=submit]")  # the hospital's name is required
    page.wait_for_selector("#err-detail")
    page.fill("#f-detail", "骨科医院")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("#steps tbody tr:nth-child(3)")
    assert "骨科医院" in page.inner_text("#steps")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    shot(page, "cases-incident-zh-390")
    number = page.inner_text("#incident-number")
    page.goto(f"{base}/cases/visits/incident/{number}")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#err-satisfaction")
    shot(page, "cases-visit-errors-zh-390")
    page.context.close()


def test_security_handover_on_a_phone(server, chromium):
    """At 390 px in Chinese: the desk board says the fixed hour is due, the record form shows every error
    beside its field, then the handover is recorded and the hour is marked recorded."""
    from broadcaster.store.models.desk import SecurityHandover

    base, app = server
    page = new_page(chromium, 390)
    login(page, base, "dora")
    page.goto(f"{base}/lang/zh")
    page.goto(f"{base}/")
    assert page.is_visible("#board-security")  # fixed hours due or missed, on the desk board
    page.click("#board-security a")
    page.wait_for_selector("#security-form")
    page.select_option("#f-slot", index=1)
    page.click("#security-form button[type=submit]")  # no officer's name
    page.wait_for_selector("#err-officer")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    shot(page, "cases-security-errors-zh-390")
    page.fill("#f-officer", "王保安")
    page.fill("#f-items", "投诉 2 件交夜班跟进；失物钱包 1 个")
    page.fill("#f-notes", "东门监控黑屏，已报工程部")
    page.click("#security-form button[type=submit]")
    page.wait_for_selector("#security-slots .slot-done, #security-slots .slot-late")
    assert "王保安" in page.inner_text("#security-slots")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    shot(page, "cases-security-zh-390")
    page.context.close()
    with app.extensions["pa"].db.session() as s:
        row = s.scalars(select(SecurityHandover)).one()
        assert row.officer == "王保安" and "钱包" in row.items and row.desk_user.name == "dora"
