"""Start `broadcaster serve` as ./run does: a real process, read until it says where the panel is."""
from __future__ import annotations

import os
import re
import subprocess
import sys


def start_serve(tmp_path, *args: str, db: str | None = None) -> tuple[subprocess.Popen, str]:
    """(process, what it printed up to the "panel at" line). The caller stops it."""
    env = dict(os.environ, PA_VAR_DIR=str(tmp_path), PA_GTTS_DISABLED="1")
    proc = subprocess.Popen([sys.executable, "-m", "broadcaster", "--db", db or f"sqlite:///{tmp_path / 'db.sqlite3'}",
                             "serve", "--port", "0", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "panel at" in line:
            break
    return proc, "".join(lines)


def panel_url(text: str) -> str:
    return re.search(r"panel at (http://\S+/)", text).group(1)
