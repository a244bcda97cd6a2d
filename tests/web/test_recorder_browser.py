"""The panel's microphone recorder in Chromium (a fake microphone: a beep): a recording needs a title,
as the upload form's does (it was sent as the English "Recording" when left empty, on the zh panel too);
with one, the recording is stored under that title."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from broadcaster.store.models.workflow import Announcement
from tests.web.test_browser import ARGS, CHROMIUM, login, server  # noqa: F401 (fixture)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def microphone_browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS + [
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
        yield browser
        browser.close()


def titles(app) -> list[str]:
    with app.extensions["pa"].db.session() as s:
        return list(s.scalars(select(Announcement.title)))


def test_a_recording_from_the_microphone_needs_a_title(server, microphone_browser):
    base, app = server
    ctx = microphone_browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
    ctx.grant_permissions(["microphone"], origin=base)
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    try:
        login(pg, base, "bob")
        pg.goto(f"{base}/scripts/")
        pg.click("#rec-start")
        pg.wait_for_timeout(1500)
        pg.click("#rec-stop")
        pg.wait_for_function("!document.querySelector('#rec-upload').disabled")
        pg.click("#rec-upload")
        pg.wait_for_timeout(500)
        assert titles(app) == [] and pg.evaluate("!document.querySelector('#rec-title').validity.valid")
        pg.fill("#rec-title", "开园广播")
        pg.click("#rec-upload")
        pg.wait_for_url(lambda url: url.rstrip("/") != f"{base}/scripts")  # to the new recording's page
        assert titles(app) == ["开园广播"], pg.text_content("#rec-status")
    finally:
        ctx.close()
