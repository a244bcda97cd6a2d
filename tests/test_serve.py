"""`broadcaster serve` as `./run` starts it: a real process with its zone player and the panel on a free
port, served in the same process. The first-run administrator can log in and is led into the first-day
setup; the zone's player has reported in; SIGTERM stops it cleanly and at once, even with a live now-playing stream open."""
from __future__ import annotations

import base64
import json
import re
import signal
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

from tests.serving import panel_url, start_serve


def test_serve_runs_the_panel_and_stops_cleanly(tmp_path):
    proc, text = start_serve(tmp_path, "--zone", "main=null")
    try:
        assert "(in-process, 4 threads)" in text, text
        admin, password = re.search(r"administrator account (\S+) / ([^\s;]+)", text).groups()
        url = panel_url(text)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(url + "login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urlencode({"username": admin, "password": password, "csrf_token": token}).encode()
        first = opener.open(url + "login", form).read().decode()
        assert "First-day setup" in first and "Choose your own password" in first  # led into the setup
        basic = base64.b64encode(f"{admin}:{password}".encode()).decode()
        now = json.loads(urllib.request.urlopen(urllib.request.Request(
            url + "api/now", headers={"Authorization": f"Basic {basic}"})).read())
        assert now["zones"]["main"]["device_ok"] is True  # the service's own player reported in
        stream = opener.open(url + "events")  # a live stream, held open
        assert stream.readline().startswith(b"retry: 1000")
    finally:
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        stopped_in = time.monotonic() - t0
    assert proc.returncode == 0, out
    assert "stopped" in out
    assert stopped_in < 4, f"took {stopped_in:.1f} s to stop"  # the open stream did not hold it up
    assert (tmp_path / "secret_key").exists()
