"""`broadcaster serve` as `./run` starts it: a real process with the panel on a free port. The
first-run administrator can log in and sees the dashboard; SIGTERM stops it cleanly."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode


def test_serve_runs_the_panel_and_stops_cleanly(tmp_path):
    env = dict(os.environ, PA_VAR_DIR=str(tmp_path), PA_GTTS_DISABLED="1")
    proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "--db", f"sqlite:///{tmp_path / 'db.sqlite3'}",
                             "serve", "--port", "0", "--zone", "main=null"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "panel at" in line:
                break
        text = "".join(lines)
        admin, password = re.search(r"administrator account (\S+) / (\S+)", text).groups()
        url = re.search(r"panel at (http://\S+/)", text).group(1)
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
