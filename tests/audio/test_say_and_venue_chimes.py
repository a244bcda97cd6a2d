"""A page's sentences are levelled once and kept (bounded) for its repeats; a venue's chime file in any
of the four formats staff have (WAV, FLAC, OGG, MP3) is read, checked (length, silence, decodable) and
levelled, with a reason the panel can put in the staff's words. Real offline TTS, real encoders."""
from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf

from audio import chimes, loudness, render
from audio.pcm import SAMPLE_RATE
from audio.render import Renderer
from tests.audio.meter import CEILING_DBTP, TOLERANCE_LU, ebur128


def test_say_levels_a_sentence_once_and_keeps_a_bounded_number(tmp_path, monkeypatch):
    r = Renderer(cache_dir=tmp_path / "cache")
    levelled = []
    real = loudness.normalize
    monkeypatch.setattr(render.loudness, "normalize", lambda pcm, target, **kw: levelled.append(1) or real(pcm, target, **kw))
    first = r.say("Would the parents of Tom please come to the gate.", "en")
    again = r.say("Would the parents of Tom please come to the gate.", "en-GB")  # the same language
    assert again[0] is first[0] and len(levelled) == 1, "a repeat airs the samples levelled the first time"
    monkeypatch.setattr(render, "SAID_KEPT", 2)
    for text in ("One.", "Two.", "Three."):
        r.say(text, "en")
    assert len(r._said) == 2 and ("en", "Three.", r.target_lufs) in r._said  # kept by the level it was said at


def _tone(seconds: float, level: float = 0.3, rate: int = 44_100) -> np.ndarray:
    """A bell-like note that sounds to its end."""
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * 587 * t) * np.exp(-t / seconds)).astype(np.float32)


def _sine(hz: float, seconds: float = 2.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def test_a_chime_s_dc_offset_is_removed_before_it_is_levelled(tmp_path):
    buf = io.BytesIO()
    sf.write(buf, (0.4 + _tone(1.5, rate=SAMPLE_RATE)).astype(np.float32), SAMPLE_RATE, format="WAV")
    ready = chimes.read_chime(buf.getvalue())
    assert abs(float(ready.samples.mean())) < 1e-3 and 1.0 < ready.duration <= 1.6
    lufs, peak = ebur128(ready, tmp_path)
    assert abs(lufs - (loudness.DEFAULT_TARGET_LUFS - chimes.CHIME_UNDER_LU)) <= TOLERANCE_LU and peak <= CEILING_DBTP


@pytest.mark.parametrize("fmt", ["WAV", "FLAC", "OGG", "MP3"])
def test_a_chime_in_each_format_is_read_checked_and_levelled(fmt, tmp_path):
    buf = io.BytesIO()
    sf.write(buf, _tone(1.5), 44_100, format=fmt)
    ready = chimes.read_chime(buf.getvalue())
    assert ready.rate == SAMPLE_RATE and 1.0 < ready.duration <= 1.6
    assert ready.samples[0] == 0.0 and abs(ready.samples[-1]) < 1e-3  # faded: no click
    # levelled like the built-in chimes, whatever the file's own level (ffmpeg's meter, not ours)
    lufs, peak = ebur128(ready, tmp_path)
    assert abs(lufs - (loudness.DEFAULT_TARGET_LUFS - chimes.CHIME_UNDER_LU)) <= TOLERANCE_LU and peak <= CEILING_DBTP


@pytest.mark.parametrize("data,reason", [
    (b"certainly not audio", "undecodable"),
    (np.zeros(SAMPLE_RATE, np.float32), "silent"),
    (_tone(0.2, rate=SAMPLE_RATE), "short"),
    (_tone(9.0, rate=SAMPLE_RATE), "long"),
    (np.full(2 * SAMPLE_RATE, 0.5, np.float32), "silent"),  # a constant offset (DC) is no sound
    (np.full(2 * 44_100, 0.5, np.float32), "silent"),  # ... nor what resampling leaves of it
    (_sine(23_000.0), "inaudible"),  # ultrasound
    (_sine(15.0, level=0.5), "inaudible"),  # rumble
    (_tone(61.0, rate=SAMPLE_RATE), "long"),  # beyond what is even decoded
])
def test_a_chime_that_is_not_fit_is_refused_with_its_reason(data, reason):
    if isinstance(data, np.ndarray):
        buf = io.BytesIO()
        sf.write(buf, data, SAMPLE_RATE, format="WAV")
        data = buf.getvalue()
    with pytest.raises(chimes.BadChime) as err:
        chimes.read_chime(data)
    assert err.value.reason == reason
    assert not chimes.chime_dir().exists() or not any(chimes.chime_dir().glob("*.wav"))  # nothing kept
