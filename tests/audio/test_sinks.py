"""Sinks: the real PortAudio path through ALSA's file PCM (see tests/conftest.py), WAV and null."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from audio.pcm import Pcm, AudioError
from audio.player import Player
from audio.sinks import DeviceLost, NullSink, PortAudioSink, WavFileSink, list_devices, open_sink


def _test_signal(seconds: float = 0.5, rate: int = 48_000) -> Pcm:
    rng = np.random.default_rng(7)
    t = np.arange(int(seconds * rate)) / rate
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size)
    return Pcm(x.astype(np.float32), rate)


def test_default_device_is_listed():
    devices = list_devices()
    assert any(d["default"] for d in devices), devices


@pytest.mark.parametrize("channels", [1, 2])
def test_portaudio_delivers_exactly_the_rendered_samples(alsa_capture, channels):
    pcm = _test_signal()
    sink = PortAudioSink(None, channels=channels)
    with sink:
        Player(sink, block_ms=20).play(pcm)
    raw = np.fromfile(alsa_capture, dtype=np.int16).reshape(-1, channels)
    expected = pcm.to_int16()
    assert raw.shape[0] == expected.size
    for ch in range(channels):
        assert np.array_equal(raw[:, ch], expected)


def test_player_stop_ends_within_one_block():
    sink = NullSink(keep=True)
    player = Player(sink, block_ms=20)
    blocks = iter([np.full(960, i, np.int16) for i in range(10)])

    def gen():
        for i, b in enumerate(blocks):
            if i == 3:
                player.stop()
            yield b

    with sink:
        frames = player.play_blocks(gen())
    assert frames == 3 * 960
    assert [int(b[0]) for _, b in sink.blocks] == [0, 1, 2]


def test_wav_sink_round_trip(tmp_path):
    pcm = _test_signal(0.2)
    sink = open_sink(f"wav:{tmp_path / 'out.wav'}")
    Player(sink).play(pcm)
    sink.close()
    data, rate = sf.read(tmp_path / "out.wav", dtype="int16")
    assert rate == 48_000
    assert np.array_equal(data, pcm.to_int16())


def test_player_resamples_to_the_sink_rate():
    pcm = _test_signal(0.25, rate=22_050)
    sink = NullSink(keep=True)
    with sink:
        Player(sink).play(pcm)
    assert abs(sink.samples().size - 12_000) <= 1


def test_unknown_device_is_a_clear_error():
    with pytest.raises(DeviceLost, match="cannot open audio device"):
        PortAudioSink("no-such-device-xyz").open()


def test_unknown_sink_spec():
    with pytest.raises(AudioError, match="unknown sink"):
        open_sink("speaker")


def test_missing_device_raises_device_lost(monkeypatch):
    def fail(self):
        raise DeviceLost("unplugged")

    monkeypatch.setattr(PortAudioSink, "_open", fail)
    with pytest.raises(DeviceLost):
        open_sink("device")


def test_blocked_write_raises_device_lost_instead_of_hanging():
    """A write that never returns (a wedged driver) is aborted by the watchdog."""
    import threading

    class Wedged:
        def __init__(self):
            self.released = threading.Event()

        def write(self, block):
            self.released.wait(10)

        def abort(self):
            self.released.set()

        def stop(self):
            pass

        def close(self):
            pass

    sink = PortAudioSink(None, write_timeout=0.3)
    sink._stream = Wedged()
    sink.is_open = True
    sink._watchdog = threading.Thread(target=sink._watch, daemon=True)
    sink._watchdog.start()
    with pytest.raises(DeviceLost, match="blocked"):
        sink.write(np.zeros(960, np.int16))
    assert sink._stream.released.is_set()


def test_wav_sink_whose_folder_is_deleted_is_a_lost_device_until_the_folder_is_back(tmp_path):
    """On Linux a deleted file still takes writes: the sink must notice, like a device unplugged."""
    import shutil

    folder = tmp_path / "air"
    a, b = _test_signal(0.1).to_int16(), (_test_signal(0.05).to_int16() // 2)
    sink = WavFileSink(folder / "main.wav").open()  # the first open makes its folder
    sink.write(a)
    shutil.rmtree(folder)
    with pytest.raises(DeviceLost, match="its folder was deleted"):
        sink.write(b)
    sink.close()
    with pytest.raises(DeviceLost, match="is gone"):  # not silently made again: the fault stays open
        sink.open()
    folder.mkdir()
    sink.open().write(b)
    sink.close()
    assert np.array_equal(sf.read(folder / "main.wav", dtype="int16")[0], b)


def test_wav_sink_reopened_appends_to_its_recording(tmp_path):
    a, b = _test_signal(0.1).to_int16(), (_test_signal(0.05).to_int16() // 2)
    sink = WavFileSink(tmp_path / "main.wav")
    with sink:
        sink.write(a)
    with sink:  # reopened after a device drill: the recording of what aired goes on
        sink.write(b)
    assert np.array_equal(sf.read(tmp_path / "main.wav", dtype="int16")[0], np.concatenate([a, b]))
    with sink:
        (tmp_path / "main.wav").unlink()
        with pytest.raises(DeviceLost, match="the file was deleted"):
            sink.write(a)
    with sink:  # its folder is there: a new recording starts
        sink.write(a)
    assert np.array_equal(sf.read(tmp_path / "main.wav", dtype="int16")[0], a)
