#!/usr/bin/env bash
# Idempotent set-up shared by ./run and ./test: system libraries (when root), a venv, the project.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
ldconfig -p 2>/dev/null | grep -q libportaudio.so.2 || need_apt+=(libportaudio2)
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
for pkg in "$@"; do
  case "$pkg" in
    chromium) command -v chromium >/dev/null 2>&1 || need_apt+=(chromium) ;;
    postgresql) command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql) ;;
    fonts-wqy-microhei) [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei) ;;
    *) need_apt+=("$pkg") ;;
  esac
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${need_apt[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need_apt[@]}" >/dev/null; }
  else
    echo "note: not root; please install: ${need_apt[*]}" >&2
  fi
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import audio, broadcaster, web, sounddevice, piper, espeakng_loader, waitress"
  rm -f .venv/.installed-*; touch "$stamp"
fi
