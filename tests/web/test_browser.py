"""End to end in headless Chromium against the panel served as `broadcaster serve` serves it (waitress on
127.0.0.1) with a real zone player: the desk pages a lost child and sees it in now-playing; a supervisor
listens to a script and approves it. Screenshots of the main pages go to docs/screenshots/ with PA_SCREENSHOTS=1."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from broadcaster.schedule.programmes import ItemSpec
from tests.web.conftest import wait_js  # noqa: E402
from tests.web.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture
def server(make_app, approved_templates, player):
    from broadcaster.commands.serve import Panel

    app = make_app(SSE_INTERVAL=0.2)
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


@pytest.fixture
def page(chromium):
    # bypass_csp only lets Playwright's own polling evaluate; the pages' CSP is asserted in test_auth
    ctx = chromium.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB", bypass_csp=True)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    yield pg
    ctx.close()


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


def test_desk_pages_a_lost_child_and_sees_it_on_air(server, page):
    base, app = server
    login(page, base, "dora")
    page.goto(f"{base}/desk/")
    page.check("input[name=kind][value=missing]")
    page.click("#optional-fields summary")  # the optional fields are folded
    for field, value in {"age": "5", "last_seen_place_en": "Carousel", "last_seen_place_zh-CN": "旋转木马",
                         "meeting_point_en": "Visitor Centre", "meeting_point_zh-CN": "游客中心", "person_name": "王小明",
                         "reporter_name": "王芳", "reporter_contact": "13800000000"}.items():
        page.fill(f"input[name='{field}']", value)
    for field, value in {"sex": "boy", "top_colour": "red", "top": "jacket", "shoes_colour": "white",
                         "shoes_type": "sneakers", "height_band": "100-120cm"}.items():
        page.select_option(f"select[name={field}]", value)
    shot(page, "desk-urgent-page")
    page.click("#page-now")
    page.wait_for_selector("#case-number")
    number = page.inner_text("#case-number")
    assert "red jacket" in page.inner_text("#pages") and "王小明" not in page.inner_text("#pages")
    shot(page, "desk-case")
    page.goto(f"{base}/")
    wait_js(page, "document.querySelector('#live').classList.contains('ok')")
    wait_js(page, f"document.querySelector('#now').textContent.includes('{number}')")
    assert number in page.inner_text("#now")
    assert number in page.inner_text("#open-cases")
    shot(page, "dashboard-now-playing")
    page.goto(f"{base}/desk/lost")
    shot(page, "desk-lost-property")


def test_supervisor_listens_then_approves(server, page, chromium):
    base, app = server
    login(page, base, "bob")
    page.goto(f"{base}/scripts/new")
    page.fill("input[name=title]", "Parade")
    page.fill("textarea[name=text_1]", "花车巡游三点开始。")
    page.fill("textarea[name=text_2]", "The parade starts at three.")
    page.click("#preview")
    wait_js(page, "document.querySelector('#preview-audio').src.startsWith('blob:')")
    shot(page, "broadcaster-script-editor")
    page.click("#script-form button[type=submit]")
    page.wait_for_selector("#submit-form")
    page.click("#submit-form button")
    page.wait_for_selector("#script-state")
    assert "submitted" in page.inner_text("#script-state")
    ann_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.goto(f"{base}/schedule/")
    shot(page, "broadcaster-schedule-week")

    sup = chromium.new_context(viewport={"width": 1280, "height": 860}, bypass_csp=True).new_page()
    sup.set_default_timeout(30_000)
    login(sup, base, "sam")
    sup.goto(f"{base}/approvals/")
    shot(sup, "supervisor-inbox")
    sup.click(f"a[href='/approvals/announcements/{ann_id}']")
    wait_js(sup, "document.querySelector('#approval-audio').dataset.ready === '1'")
    assert sup.is_disabled("#approve")  # not before listening
    shot(sup, "supervisor-listen-approve")
    sup.evaluate("document.querySelector('#approval-audio').play()")
    wait_js(sup, "document.querySelector('#approve').dataset.listened === '1'")
    sup.click("#approve")
    sup.wait_for_url(f"{base}/approvals/")
    a = app.extensions["pa"]
    with a.db.session() as s:
        ann = a.announcements.get(s, ann_id)
        assert ann.state.value == "approved"
        assert ann.approved_hash and ann.approved_by_id is not None
    sup.goto(f"{base}/approvals/logs")
    shot(sup, "supervisor-logs")
    sup.context.close()


def test_chinese_ui_screenshot(server, page):
    base, app = server
    app.extensions["pa"].programmes.create_programme("Morning chime", [ItemSpec("chime"), ItemSpec("silence", seconds=1)])
    login(page, base, "ada")
    page.goto(f"{base}/lang/zh")
    page.goto(f"{base}/")
    assert "正在播放" in page.content()
    shot(page, "dashboard-zh")
