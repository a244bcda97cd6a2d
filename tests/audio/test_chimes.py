"""Chimes: no click at any note edge, at the chime level; a venue's own chime checked, trimmed, faded
and levelled (real files, the real CLI, loudness by the independent meter)."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audio import chimes
from audio.pcm import SAMPLE_RATE
from audio.render import Renderer
from broadcaster.cli import main
from tests.audio.meter import CEILING_DBTP, TOLERANCE_LU, ebur128

#: Largest sample-to-sample step allowed within 1 ms of a note's start or end (about -54 dBFS):
#: a note that stops without a release jumps by tens of times this.
EDGE_STEP = 0.002


@pytest.mark.parametrize("kind", chimes.KINDS)
def test_chime_notes_start_and_end_without_a_click(kind):
    x = chimes.generated(kind).samples.astype(np.float64)
    assert abs(x[0]) < 1e-4 and abs(x[-1]) < 1e-4
    edges = np.cumsum([0] + [int(s * SAMPLE_RATE) for _, s in chimes._PATTERNS[kind]])
    assert edges[-1] == len(x)
    w = int(0.001 * SAMPLE_RATE)
    for e in edges:
        near = x[max(0, e - w):e + w]
        assert np.abs(np.diff(near)).max() < EDGE_STEP, (kind, e / SAMPLE_RATE)
        assert np.abs(near).max() < 0.01  # each note has died away to (nearly) nothing at its edges
    assert np.abs(np.diff(x)).max() < 0.08  # and nowhere a jump bigger than the tone's own slope


@pytest.mark.parametrize("kind", chimes.KINDS)
def test_chimes_sit_under_the_speech_level(kind, tmp_path):
    integrated, peak = ebur128(chimes.generated(kind), tmp_path)
    # a second of sound is only a few gating blocks: meters differ a little more than on speech
    assert abs(integrated - (-20.0 - chimes.CHIME_UNDER_LU)) <= 2 * TOLERANCE_LU and peak <= CEILING_DBTP


def _bell(seconds=1.5, lead=0.4, level=0.99):
    """A loud bell recording with silence before it and a hard cut at its end."""
    t = np.arange(int(seconds * 44_100)) / 44_100
    tone = level * np.sin(2 * np.pi * 660 * t) * np.exp(-1.0 * t)
    return np.concatenate([np.zeros(int(lead * 44_100)), tone, np.zeros(int(0.3 * 44_100))])


def test_a_venue_chime_recorded_over_a_hiss_floor_is_trimmed_to_its_sound(tmp_path):
    """A phone recording: the bell over hiss 60 dB down (peaks -48 dBFS), with a DC offset. The hiss
    is not sound: before, nothing was trimmed (half a second before the chime rang, a second after)."""
    rng = np.random.default_rng(0)
    bell = _bell(seconds=2.0, lead=0.5, level=0.6)
    bell = np.concatenate([bell, np.zeros(44_100)]) + 0.08 + rng.normal(0, 0.001, len(bell) + 44_100)
    sf.write(tmp_path / "phone.wav", bell, 44_100)
    ready = chimes.read_chime((tmp_path / "phone.wav").read_bytes())
    loud = np.flatnonzero(np.abs(ready.samples) > 0.01)
    assert loud[0] < 0.02 * 48_000, f"the chime rings {loud[0] / 48_000:.2f} s late"
    assert ready.duration < 2.1 and abs(float(ready.samples.mean())) < 1e-3


def test_a_venue_chime_is_trimmed_faded_levelled_and_used(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    r = Renderer(cache_dir=tmp_path / "cache", lead_in=0.0)
    before = r.render_script([("en", "Hello there.")]).sha256
    src = tmp_path / "our-bell.flac"
    sf.write(src, np.stack([_bell(), _bell()], axis=1), 44_100)  # stereo, 44.1 kHz
    assert main(["chime", "set", str(src), "--for", "announcement"]) == 0
    assert "announcement chime is now our-bell.flac" in capsys.readouterr().out
    stored = tmp_path / "chimes" / "announcement.wav"
    data, rate = sf.read(stored, dtype="int16")
    assert rate == SAMPLE_RATE and data.ndim == 1
    ours = chimes.chime("announcement")
    assert np.array_equal(ours.to_int16(), data)
    assert abs(ours.duration - 1.5) < 0.05  # the silence before and after is gone
    x = ours.samples
    assert x[0] == 0 and x[-1] == 0 and np.abs(np.diff(x[:48])).max() < 0.01  # faded in and out
    integrated, peak = ebur128(ours, tmp_path)
    assert abs(integrated - (-20.0 - chimes.CHIME_UNDER_LU)) <= TOLERANCE_LU and peak <= CEILING_DBTP
    assert not np.array_equal(chimes.chime("urgent_page").to_int16(), data)  # only the one replaced
    # the renderer rings it: the rendered item holds the venue's chime after the lead-in
    rendered = r.render_script([("en", "Hello there.")])  # the same script: rendered anew, not the cached one
    assert rendered.sha256 != before
    item = rendered.pcm.to_int16()
    start = item[: len(data)].astype(np.int32)
    assert np.corrcoef(start, data.astype(np.int32))[0, 1] > 0.99
    assert main(["chime", "list"]) == 0
    assert "announcement  venue" in capsys.readouterr().out
    assert main(["chime", "reset", "--for", "announcement"]) == 0
    assert not stored.exists()
    assert np.array_equal(chimes.chime("announcement").to_int16(), chimes.generated("announcement").to_int16())


@pytest.mark.parametrize("make,message", [
    (lambda p: p.write_bytes(b"<html>not a sound</html>"), "not a readable audio file"),
    (lambda p: sf.write(p, np.zeros(48_000), 48_000), "silent"),
    (lambda p: sf.write(p, _bell(seconds=0.1, lead=0), 44_100), "at least 0.3 s"),
    (lambda p: sf.write(p, 0.5 * np.sin(2 * np.pi * 660 * np.arange(12 * 44_100) / 44_100) + 0.3, 44_100),
     "at most 8 s"),  # 12 s of sound (a bell's tail 50 dB down is trimmed: not sound)
    (lambda p: sf.write(p, np.full(96_000, 0.5), 48_000), "only a constant offset (DC)"),
    (lambda p: sf.write(p, 0.3 * np.sin(2 * np.pi * 23_000 * np.arange(96_000) / 48_000), 48_000),
     "cannot be heard: most of its sound is below 30 Hz or above 16 kHz"),
])
def test_a_bad_venue_chime_is_refused_and_the_old_one_kept(tmp_path, monkeypatch, capsys, make, message):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    good = tmp_path / "good.wav"
    sf.write(good, _bell(), 44_100)
    assert main(["chime", "set", str(good), "--for", "urgent_page"]) == 0
    before = (tmp_path / "chimes" / "urgent_page.wav").read_bytes()
    bad = tmp_path / "bad.wav"
    make(bad)
    assert main(["chime", "set", str(bad), "--for", "urgent_page"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {bad}: ") and message in err and "\n" not in err, err
    assert (tmp_path / "chimes" / "urgent_page.wav").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "chimes").iterdir()) == ["urgent_page.wav"]  # no temp file left
