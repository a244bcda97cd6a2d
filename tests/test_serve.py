"""`broadcaster serve` as `./run` starts it: a real process with the panel on a free port. The
first-run administrator can log in and sees the dashboard; SIGTERM stops it cleanly."""
from __future__ import annotations

import re
import signal
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

from tests.serving import panel_url, start_serve


def test_serve_runs_the_panel_and_stops_cleanly(tmp_path):
    proc, text = start_serve(tmp_path, "--zone", "main=null")
    try:
        admin, password = re.search(r"administrator account (\S+) / (\S+)", text).groups()
        url = panel_url(text)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        page = opener.open(url + "login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urlencode({"username": admin, "password": password, "csrf_token": token}).encode()
        dashboard = opener.open(url + "login", form).read().decode()
        assert "main" in dashboard and admin in dashboard
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "stopped" in out
    assert (tmp_path / "secret_key").exists()
