"""`broadcaster say / play / devices` end to end (real engines, real PortAudio via ALSA's file PCM)."""
from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf

from audio.render import Renderer
from broadcaster.cli import main
from broadcaster.settings import save_settings


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
    lines = capsys.readouterr().out.splitlines()
    marked = [line for line in lines if line.startswith("*")]
    # one device is marked the default: ALSA's "default" (the test's file PCM), with its channels and rate
    assert len(marked) == 1 and marked[0].split()[2] == "default" and marked[0].endswith(" Hz)"), lines


def test_say_refuses_unknown_language(capsys):
    assert main(["say", "--lang", "xx", "hi", "--out", "/dev/null"]) == 1
    assert "unsupported language 'xx'" in capsys.readouterr().err


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_say_out_to_an_unwritable_path_is_one_clear_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    assert main(["say", "--lang", "en", "Hello there.", "--out", "/proc/nope.wav"]) == 1
    out = capsys.readouterr()
    assert out.out == ""  # refused before anything was rendered: no summary of speech that was not kept
    assert out.err.strip() == "error: cannot write /proc/nope.wav: No such file or directory"
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert main(["say", "--lang", "en", "Hello there.", "--out", str(a_file / "x.wav")]) == 1
    assert _one_error_line(capsys) == f"error: cannot write {a_file / 'x.wav'}: {a_file} is a file, not a folder"
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if not os.access(locked, os.W_OK):  # root writes anywhere
        assert main(["say", "--lang", "en", "Hello there.", "--out", str(locked / "x.wav")]) == 1
        assert _one_error_line(capsys).endswith("Permission denied")


def test_say_refuses_an_out_file_not_named_wav_and_an_unknown_chime_listing_none(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    target = tmp_path / "closing.mp3"
    assert main(["say", "--lang", "en", "Hello there.", "--out", str(target)]) == 1
    assert _one_error_line(capsys) == f"error: cannot write {target}: --out writes a WAV file; name it .wav"
    assert not target.exists()  # WAV bytes were written under the .mp3 name before
    assert main(["say", "--lang", "en", "Hello there.", "--chime", "bell", "--out", str(tmp_path / "a.wav")]) == 1
    assert _one_error_line(capsys) == ("error: unknown chime 'bell'; use one of emergency, urgent_page, "
                                       "announcement, programme, end or none")
    assert main(["say", "--lang", "en", "Hello there.", "--chime", "none", "--out", str(tmp_path / "A.WAV")]) == 0
    assert sf.info(str(tmp_path / "A.WAV")).format == "WAV"


def test_say_out_does_not_create_folders(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    target = tmp_path / "no" / "such" / "folder" / "x.wav"
    assert main(["say", "--lang", "en", "Hello there.", "--out", str(target)]) == 1
    assert _one_error_line(capsys) == f"error: cannot write {target}: folder {target.parent} does not exist"
    assert not (tmp_path / "no").exists()
    assert main(["say", "--lang", "en", "Hello there.", "--out", str(tmp_path)]) == 1
    assert _one_error_line(capsys) == f"error: cannot write {tmp_path}: it is a folder"


def test_say_and_play_to_a_wav_device_in_a_missing_folder_refuse_and_create_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    target = tmp_path / "missing" / "dir" / "x.wav"
    assert main(["say", "--lang", "en", "Hello there.", "--device", f"wav:{target}"]) == 1
    out = capsys.readouterr()
    assert out.out == ""  # refused before anything was rendered
    assert out.err.strip() == f"error: cannot write {target}: folder {target.parent} does not exist"
    assert not (tmp_path / "missing").exists()
    sf.write(tmp_path / "tone.wav", np.zeros(4800, np.float32), 48_000)
    assert main(["play", str(tmp_path / "tone.wav"), "--device", f"wav:{target}"]) == 1
    assert _one_error_line(capsys) == f"error: cannot write {target}: folder {target.parent} does not exist"
    assert not (tmp_path / "missing").exists()
    written = tmp_path / "said.wav"  # a folder that exists: written as before
    assert main(["say", "--lang", "en", "Hello there.", "--device", f"wav:{written}"]) == 0
    assert sf.info(str(written)).duration > 0.5


@pytest.mark.parametrize("text", ["😀🎉👍", "... !!! ---", "\x07\x1b\u200b", "🙂 ?! \x00"])
def test_say_refuses_text_with_nothing_speakable(tmp_path, capsys, monkeypatch, text):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    out = tmp_path / "x.wav"
    assert main(["say", "--lang", "zh-CN", "各位游客请注意。", "--lang2", "en", text, "--out", str(out)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith("error: the en text has nothing that can be spoken"), line
    assert not out.exists()


@pytest.mark.parametrize("argv,which", [
    (["--lang", "en", "各位游客请注意，园区将于十八点闭园。"], "--lang"),
    (["--lang", "zh-CN", "园区即将闭园。", "--lang2", "en", "โปรดทราบ สวนจะปิดเวลา 18 นาฬิกา"], "--lang2"),
])
def test_say_refuses_text_in_another_language_s_script_naming_the_part(tmp_path, capsys, monkeypatch, argv, which):
    """Not spelt out as letter names ("Chinese letter" for 15 s), nor left to stall the engines."""
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    out = tmp_path / "x.wav"
    assert main(["say", *argv, "--out", str(out)]) == 1
    line = _one_error_line(capsys)
    assert line == f"error: the en text ({which}) is not in en's script: write it in English only", line
    assert not out.exists()


def test_say_chain_error_names_each_engine_and_why(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PA_TTS_CHAIN", "en=gtts")
    assert main(["say", "--lang", "en", "Hello there.", "--out", str(tmp_path / "x.wav")]) == 1
    line = _one_error_line(capsys)
    assert line.startswith("error: no engine can speak 'en'; tried gtts: turned off by PA_GTTS_DISABLED"), line
    assert ", en," not in line  # the old message offered 'en' as a language this chain speaks


def test_say_help_documents_engine_choice(capsys):
    with pytest.raises(SystemExit):
        main(["say", "--help"])
    text = capsys.readouterr().out
    for needle in ("PA_TTS_CHAIN", "PA_GTTS_DISABLED", "PA_VOICES_DIR", "piper", "espeak", "gtts",
                   "en=piper,espeak,gtts"):
        assert needle in text


@pytest.mark.parametrize("target", [-16.0, -23.5])
def test_say_help_gives_the_venue_s_loudness_target(tmp_path, capsys, monkeypatch, target):
    monkeypatch.setenv("PA_VAR_DIR", str(tmp_path))
    save_settings({"loudness_lufs": target})  # the process's store: SQLite in this var/
    with pytest.raises(SystemExit):
        main(["say", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"levelled to {target:g} LUFS (the venue's loudness_lufs)" in text and "-20 LUFS" not in text
    fresh = tmp_path / "fresh"  # a venue whose settings file of an earlier version is broken: not imported
    fresh.mkdir()
    monkeypatch.setenv("PA_VAR_DIR", str(fresh))
    (fresh / "settings.json").write_text("{broken")  # help still answers, naming the setting
    with pytest.raises(SystemExit):
        main(["say", "--help"])
    assert "levelled to the venue's loudness_lufs" in " ".join(capsys.readouterr().out.split())
