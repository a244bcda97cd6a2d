"""Loudness and true peak of what is rendered, measured by an independent meter: ffmpeg's ebur128
filter (ITU-R BS.1770-4, true peak by its own 4x oversampling), never by the code under test. Real
engines (piper en, espeak-ng cmn and ru) render a corpus of twenty scripts."""
from __future__ import annotations

import numpy as np
import pytest

from audio import loudness
from audio.pcm import Pcm
from audio.render import Renderer
from tests.audio.corpus import SCRIPTS
from tests.audio.meter import CEILING_DBTP, TOLERANCE_LU, ebur128


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    return Renderer(cache_dir=tmp_path_factory.mktemp("loudness-cache"))


def test_every_rendered_item_of_the_corpus_is_on_target(renderer, tmp_path):
    """Each script as it airs (lead-in, chime, speech, end chime) and as a page's speech (no chime):
    integrated loudness within 0.5 LU of -20 LUFS, true peak at or under -1 dBTP."""
    assert {lang for parts in SCRIPTS for lang, _ in parts} == {"zh-CN", "en", "ru"} and len(SCRIPTS) == 20
    measured, engines = [], set()
    for parts in SCRIPTS:
        for framing in ({}, {"chime": None, "lead_in": 0.0}):
            out = renderer.render_script(parts, **framing)
            engines.update(e.split(":")[0] for e in out.engines)
            if out.pcm.duration < 1.0:  # "Thank you." alone: too short for an integrated loudness
                continue
            measured.append((parts[0][1][:20], *ebur128(out.pcm, tmp_path)))
    assert engines == {"piper", "espeak"}
    off = [m for m in measured if abs(m[1] - renderer.target_lufs) > TOLERANCE_LU or m[2] > CEILING_DBTP]
    assert not off, off
    assert len(measured) >= 36


def test_a_venue_target_is_met(tmp_path):
    r = Renderer(cache_dir=tmp_path / "cache", target_lufs=-23.0)
    for parts in (SCRIPTS[1], SCRIPTS[6]):
        integrated, peak = ebur128(r.render_script(parts).pcm, tmp_path)
        assert abs(integrated + 23.0) <= TOLERANCE_LU and peak <= CEILING_DBTP


def test_recordings_are_levelled_quiet_or_hot(renderer, tmp_path):
    """A quiet recording is brought up (its peaks held by the limiter), a hot one with inter-sample
    overs brought down."""
    voice = renderer.chain.speak("Attention please. The park closes at six p.m.", "en").pcm.resampled(48_000)
    quiet = voice.gained(0.02 / voice.peak)
    hot = Pcm(np.clip(voice.samples / voice.peak * 1.6, -1, 1))  # clipped flat tops: overs between samples
    for rec in (quiet, hot):
        out = renderer.render_recording(rec)
        integrated, peak = ebur128(out.pcm, tmp_path)
        assert abs(integrated - renderer.target_lufs) <= TOLERANCE_LU and peak <= CEILING_DBTP, (integrated, peak)


def test_true_peak_sees_the_peak_between_samples():
    n = np.arange(48_000)
    x = np.sin(np.pi / 2 * n + np.pi / 4).astype(np.float32) * 0.9  # fs/4: samples at +-0.636, true peak 0.9
    assert abs(Pcm(x).peak - 0.636) < 1e-3
    assert abs(loudness.true_peak(Pcm(x)) - 20 * np.log10(0.9)) < 0.2  # sample peak: -3.9 dBFS


def test_the_limiter_holds_a_transient_with_a_smooth_gain():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 0.05, 48_000 * 3)
    x[60_000:60_050] += 0.9  # a door slam in a quiet recording
    out = loudness.limit(x, 48_000, -1.0)
    assert loudness.true_peak(out) <= -1.0 + 0.05
    gain = out / np.where(np.abs(x) > 1e-3, x, np.nan)
    steps = np.abs(np.diff(gain[~np.isnan(gain)]))
    assert np.nanmax(steps) < 0.02  # the gain glides down and back: no step, no click
    assert np.allclose(out[:50_000], x[:50_000]) and np.allclose(out[70_000:], x[70_000:])  # untouched elsewhere
