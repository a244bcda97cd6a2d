"""`broadcaster serve` as `./run` starts it: a real process with its zone player and the panel on a free
port, served in the same process. The first-run administrator can log in and is led into the first-day
setup; the zone's player has reported in; SIGTERM stops it cleanly and at once, even with a live now-playing stream open."""
from __future__ import annotations

import base64
import json
import re
import signal
import time
import urllib.error
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

        def api_now(secret: str):
            basic = base64.b64encode(f"{admin}:{secret}".encode()).decode()
            return urllib.request.urlopen(urllib.request.Request(url + "api/now",
                                                                 headers={"Authorization": f"Basic {basic}"}))

        try:  # the printed password opens nothing but the form that replaces it
            api_now(password)
            raise AssertionError("the API answered the password printed at install")
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
        token = re.search(r'name="csrf_token" value="([^"]+)"', first).group(1)
        own = "our own admin password 1"
        opener.open(url + "setup/password", urlencode({"current": password, "new": own, "repeat": own,
                                                       "csrf_token": token}).encode())
        now = json.loads(api_now(own).read())
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
