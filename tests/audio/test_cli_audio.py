"""`broadcaster say / play / devices` end to end (real engines, real PortAudio via ALSA's file PCM)."""
from __future__ import annotations

import numpy as np
import soundfile as sf

from audio.render import Renderer
from broadcaster.cli import main


def test_say_writes_the_rendered_announcement(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    out = tmp_path / "closing.wav"
    rc = main(["say", "--lang", "zh-CN", "园区即将闭园。", "--lang2", "en", "The park is closing.", "--out", str(out)])
    assert rc == 0
    text = capsys.readouterr().out
    assert "espeak:cmn, piper:en_US-joe-medium" in text
    data, rate = sf.read(out, dtype="int16")
    expected = Renderer(cache_dir=tmp_path / "cache" / "tts").render_script(
        [("zh-CN", "园区即将闭园。"), ("en", "The park is closing.")])
    assert rate == 48_000 and np.array_equal(data, expected.pcm.to_int16())


def test_play_through_the_default_device(tmp_path, alsa_capture):
    t = np.arange(24_000) / 48_000
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    sf.write(tmp_path / "tone.flac", tone, 48_000)
    assert main(["play", str(tmp_path / "tone.flac")]) == 0
    raw = np.fromfile(alsa_capture, dtype=np.int16)
    assert raw.size == tone.size
    assert np.abs(raw.astype(np.float32) / 32768 - tone).max() < 2e-4  # FLAC is 16-bit


def test_devices_lists_the_default(capsys):
    assert main(["devices"]) == 0
    assert "*" in capsys.readouterr().out


def test_say_refuses_unknown_language(capsys):
    assert main(["say", "--lang", "xx", "hi", "--out", "/dev/null"]) == 1
    assert "unsupported language 'xx'" in capsys.readouterr().out
