"""The panel's sound pages (issue 13): a supervisor uploads the venue's own chime (checked, levelled,
heard before it is used, then the venue's chime here and in the database for every player), and plays
back from the air logger what the public heard of an as-run row. Flask test client for what is stored;
real Chromium for the pages (screenshots at 390 and 1280 px in docs/screenshots/)."""
from __future__ import annotations

import io
import time

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from audio import chimes
from audio.airlog import AirLog, AirLogSink
from audio.pcm import SAMPLE_RATE
from audio.sinks import NullSink
from broadcaster import airlogs, playback, venue_chimes
from broadcaster.onair import airings
from broadcaster.settings import var_dir
from broadcaster.store.models.onair import MediaBlob
from broadcaster.store.models.workflow import AsRun
from tests.web.conftest import Browser, wait_until
from tests.web.test_browser import CHROMIUM, chromium, login, shot  # noqa: F401,F811 (fixture)


def bell_file(seconds=1.2, fmt="WAV", level=0.4) -> bytes:
    t = np.arange(int(seconds * 44_100)) / 44_100
    buf = io.BytesIO()
    sf.write(buf, (level * np.sin(2 * np.pi * 700 * t) * np.exp(-t / seconds)).astype(np.float32), 44_100, format=fmt)
    return buf.getvalue()


def upload(who: Browser, data: bytes, kind="announcement", name="bell.wav"):
    return who.post("/chimes/", {"kind": kind, "file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def stored(db) -> dict:
    return venue_chimes.venue_chimes_of(db)


def test_an_upload_is_checked_heard_then_used_here_and_for_every_player(app, staff):
    sam, bob = Browser(app, "sam"), Browser(app, "bob")
    assert bob.get("/chimes/").status_code == 403
    assert upload(bob, bell_file()).status_code == 403
    for data, words in ((b"", "Choose a sound file"), (b"not audio at all", "not a sound file"),
                        (bell_file(0.1), "at least 0.3"), (bell_file(9.5, level=0.4), "at most 8"),
                        (np.zeros(1000, np.uint8).tobytes(), "not a sound file")):
        resp = upload(sam, data)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400 and 'id="err-file"' in html and words in html, words
    silent = io.BytesIO()
    sf.write(silent, np.zeros(44_100, np.float32), 44_100, format="WAV")
    assert "silent" in upload(sam, silent.getvalue()).get_data(as_text=True)
    resp = upload(sam, bell_file(), kind="nonsense")
    assert resp.status_code == 400 and 'id="f-kind"' in resp.get_data(as_text=True)
    assert stored(staff) == {} and not (chimes.chime_dir() / "announcement.wav").exists()  # nothing kept

    resp = upload(sam, bell_file(fmt="OGG"), kind="urgent_page", name="bell.ogg")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="chime-preview"' in html
    assert stored(staff) == {}, "heard first: nothing is used before the supervisor says so"
    token = html.split('name="token" value="')[1].split('"')[0]
    heard = sam.get(f"/chimes/preview/{token}.wav")
    previewed, rate = sf.read(io.BytesIO(heard.get_data()), dtype="int16")
    assert heard.mimetype == "audio/wav" and rate == SAMPLE_RATE
    assert sam.get("/chimes/preview/" + "0" * 64 + ".wav").status_code == 404
    assert sam.get("/chimes/preview/..%2f..%2fsettings.json.wav").status_code == 404

    assert sam.post("/chimes/use", {"token": token, "kind": "urgent_page"}).status_code == 302
    sha = stored(staff)["urgent_page"]
    assert chimes.chime("urgent_page").sha256() == sha  # renders here ring it
    with staff.session() as s:
        assert s.get(MediaBlob, sha) is not None  # players elsewhere fetch it by its hash
    assert np.array_equal(chimes.chime("urgent_page").to_int16(), previewed), "what was heard is what rings"
    page = sam.get("/chimes/").get_data(as_text=True)
    assert "The venue&#39;s own" in page or "The venue's own" in page
    assert sam.post("/chimes/urgent_page/reset").status_code == 302
    assert stored(staff) == {} and chimes.chime("urgent_page").sha256() == chimes.generated("urgent_page").sha256()


@pytest.fixture
def logged_server(make_app, staff, tmp_path):
    """The panel over a zone player whose zone is recorded by the air logger (as `serve` sets it up)."""
    from broadcaster.commands.serve import Panel
    from broadcaster.onair.pieces import MediaSource
    from broadcaster.onair.player import ZonePlayer
    from broadcaster.service import register_areas

    register_areas()
    sink = AirLogSink(NullSink(keep=True, realtime=True), AirLog(playback.air_log_folder(var_dir(), "main")))
    player = ZonePlayer(staff, {"main": sink}, MediaSource(staff, None, tmp_path / "pc"), poll_s=0.05)
    airlogs.Keeper(staff, player.name, {"main": sink.airlog}).attach(player)  # kept in the database
    player.start()
    app = make_app()
    panel = Panel(app, "127.0.0.1", 0)
    yield panel.url.rstrip("/"), app, player, sink.inner
    panel.stop()
    player.stop()


def _air_chime(db, name="announcement"):
    with db.session() as s:
        airings.request(s, airings.Request(key=f"bell-{time.monotonic()}", ref="emergency:bell", kind="emergency",
                                           title="Evacuation drill bell", zones=["main"], priority=90,
                                           pieces=[{"type": "chime", "name": name}]), db.signals)

    def done():
        with db.session() as s:
            return s.scalar(select(AsRun.id).where(AsRun.outcome == "completed"))
    return wait_until(done, 30)


def _stored(db):
    from broadcaster.store.models.airlog import AirLogFile

    with db.session() as s:
        return s.scalar(select(AirLogFile.id))


pytestmark_browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed")


@pytestmark_browser
def test_chromium_uploads_a_chime_and_plays_back_an_aired_item(logged_server, chromium, tmp_path, staff):
    base, app, player, out = logged_server
    row_id = _air_chime(staff)
    wait_until(lambda: _stored(staff), 30)  # the zone fell silent: its file completed and stored
    for width, lang in ((1280, "en"), (390, "zh")):
        ctx = chromium.new_context(viewport={"width": width, "height": 860}, locale="zh-CN" if lang == "zh" else "en-GB",
                                   bypass_csp=True)
        pg = ctx.new_page()
        pg.set_default_timeout(20_000)
        login(pg, base, "sam")
        if lang == "zh":
            pg.goto(f"{base}/lang/zh")
        # the as-run log: a play control on the aired row, streaming what the zone aired
        pg.goto(f"{base}/approvals/logs")
        audio = pg.locator(f"audio.aired[src$='/asrun/{row_id}/aired.flac']")
        assert audio.count() == 1
        seconds = pg.evaluate("""async (sel) => { const a = document.querySelector(sel); a.preload = 'auto'; a.load();
            await new Promise((ok, no) => { a.onloadedmetadata = ok; a.onerror = () => no(a.error && a.error.code); });
            return a.duration; }""", f"audio.aired[src$='/asrun/{row_id}/aired.flac']")
        assert seconds == pytest.approx(chimes.chime("announcement").duration, abs=0.001)  # exactly the item
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(pg, f"asrun-playback-{lang}-{width}")
        # the chime page: every error beside its field, then a preview, then the chime in use
        pg.goto(f"{base}/chimes/")
        pg.click("#chime-form button[type=submit]")
        assert pg.locator("#err-file").count() == 1
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), pg.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth, [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth).map(e => e.tagName + '#' + e.id + '.' + e.className).slice(0, 8)]")
        shot(pg, f"chimes-error-{lang}-{width}")
        path = tmp_path / f"bell-{width}.mp3"
        path.write_bytes(bell_file(fmt="MP3", seconds=1.0 + width / 10_000))
        pg.select_option("#f-kind", "programme")
        pg.set_input_files("#f-file", str(path))
        pg.click("#chime-form button[type=submit]")
        pg.wait_for_selector("#chime-preview")
        preview = pg.evaluate("""async () => { const a = document.querySelector('#chime-preview');
            if (a.readyState < 1) await new Promise(ok => a.onloadedmetadata = ok); return a.duration; }""")
        assert 0.9 < preview < 1.2
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(pg, f"chimes-preview-{lang}-{width}")
        pg.click("#use-form button[type=submit]")
        pg.wait_for_selector("#chime-programme")
        assert pg.locator("#chime-programme form").count() == 1  # the venue's own: it can go back
        shot(pg, f"chimes-in-use-{lang}-{width}")
        ctx.close()
    assert "programme" in stored(staff)
