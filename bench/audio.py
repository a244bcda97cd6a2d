"""Audio benchmark: render speed per engine and language (real-time factor), cache hit time (memory
and disk), time from play() to the first block handed to the device, the loudness and true peak of the
twenty-script corpus (tests/audio/corpus.py) measured by ffmpeg's ebur128 meter, a page's trigger to
its first speech sample (cold and warm), the air logger's disk use per hour of music, and the cost of
measuring a ten-minute peaky programme recording's gain (CPU, peak memory).

Run: .venv/bin/python bench/audio.py
"""
from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PA_GTTS_DISABLED", "1")

from audio.pcm import Pcm  # noqa: E402
from audio.player import Player  # noqa: E402
from audio.render import Renderer  # noqa: E402
from audio.sinks import NullSink  # noqa: E402
from audio.tts.espeak import EspeakEngine  # noqa: E402
from audio.tts.piper_engine import PiperEngine  # noqa: E402

TEXTS = {
    "zh-CN": "各位游客请注意，一名五岁男孩在旋转木马附近与家人走散，他穿着红色外套和白色运动鞋。",
    "yue": "各位游客请注意，游客中心有一位小朋友等候家人。",
    "ru": "Уважаемые посетители, парк закрывается в шесть часов вечера. Спасибо за визит.",
    "en": "Attention please. A five year old boy is waiting for his family at the visitor centre.",
}


def rtf(engine, lang, runs=3):
    engine.synthesize("warm up", lang)
    best = None
    for _ in range(runs):
        t = time.perf_counter()
        pcm = engine.synthesize(TEXTS[lang], lang)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return pcm.duration, best, pcm.duration / best


def first_block_ms(runs=50):
    pcm = Pcm(np.full(48_000, 0.2, np.float32))
    out = []
    for _ in range(runs):
        sink = NullSink(keep=True, realtime=True).open()
        player = Player(sink)
        t0 = time.monotonic()
        th = threading.Thread(target=player.play, args=(pcm,))
        th.start()
        while not sink.blocks:
            time.sleep(0.0002)
        out.append((sink.blocks[0][0] - t0) * 1000)
        player.stop()
        th.join()
    return statistics.median(out), max(out)


def cache_times(parts):
    """Cold render, then memory hits, then disk hits from fresh renderers on the same folder (ms)."""
    with tempfile.TemporaryDirectory() as d:
        r = Renderer(cache_dir=d)
        t = time.perf_counter()
        first = r.render_script(parts)
        cold = (time.perf_counter() - t) * 1000
        hits = []
        for _ in range(50):
            t = time.perf_counter()
            r.render_script(parts)
            hits.append((time.perf_counter() - t) * 1000)
        disk = []
        for _ in range(10):
            fresh = Renderer(cache_dir=d)
            t = time.perf_counter()
            assert fresh.render_script(parts).sha256 == first.sha256
            disk.append((time.perf_counter() - t) * 1000)
    return cold, first.pcm.duration, statistics.median(hits), statistics.median(disk)


def corpus_levels():
    """Integrated loudness and true peak of every rendered corpus item, by ffmpeg (independent meter)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "audio"))
    from corpus import SCRIPTS
    from meter import ebur128

    with tempfile.TemporaryDirectory() as d:
        r = Renderer(cache_dir=f"{d}/cache")
        rows = []
        for parts in SCRIPTS:
            for framing in ({}, {"chime": None, "lead_in": 0.0}):
                rows.append(ebur128(r.render_script(parts, **framing).pcm, Path(d)))  # short ones too
    loud = np.array([x[0] for x in rows])
    peak = np.array([x[1] for x in rows])
    return len(rows), loud.mean(), loud.min(), loud.max(), peak.max(), int((np.abs(loud - r.target_lufs) > 0.5).sum())


def airlog_per_hour(seconds=300):
    """MB an hour of music takes in the air logger (Ogg Opus, as it writes now), from ``seconds`` of
    chords over a beat; the same audio as 16-bit FLAC (what older versions wrote), WAV; the logger's
    encoding time per second of audio."""
    from audio.airlog import AirLog

    rng = np.random.default_rng(0)
    t = np.arange(seconds * 48_000) / 48_000
    roots = rng.choice([196.0, 220.0, 261.6, 293.7, 329.6], size=seconds + 1)[t.astype(int)]
    x = sum(np.sin(2 * np.pi * roots * k * t) / k for k in (1, 1.25, 1.5, 2)) / 2.5
    x = x * (0.6 + 0.4 * (np.sin(2 * np.pi * 2 * t) > 0)) + rng.normal(0, 0.02, t.size)
    music = Pcm((0.3 * x / np.abs(x).max()).astype(np.float32)).to_int16()
    with tempfile.TemporaryDirectory() as d:
        log = AirLog(d, clock=lambda: 1_800_000_000.0)
        t0 = time.perf_counter()
        for i in range(0, len(music), 960):
            log.write(music[i:i + 960], 1_800_000_000.0 + i / 48_000)
        log.close()
        cpu = time.perf_counter() - t0
        [path] = log.files()
        size, fmt = path.stat().st_size, sf.info(str(path)).subtype
        flac = io.BytesIO()
        sf.write(flac, music, 48_000, format="FLAC", subtype="PCM_16")
    per_hour = 3600 / seconds / 1e6
    return size * per_hour, fmt, len(flac.getvalue()) * per_hour, 48_000 * 2 * 3600 / 1e6, cpu / seconds


def trigger_to_speech(runs=3, first="zh-CN"):
    """ms from writing a page's airing (urgent chime, then bilingual speech rendered by the player) to
    its first speech sample at the sink: cold (wording never rendered, an empty cache) and warm (the
    same wording again). The chime lasts about 1.4 s; the target is the chime plus 200 ms. ``first``: the
    language spoken first (zh-CN: espeak-ng; en: piper, the slower engine to start)."""
    from audio.chimes import chime
    from broadcaster.onair import airings
    from broadcaster.onair.pieces import MediaSource, Speech
    from broadcaster.onair.player import ZonePlayer
    from broadcaster.service import register_areas
    from broadcaster.store.db import Database

    register_areas()
    bell = len(chime("urgent_page"))
    cold, warm = [], []
    with tempfile.TemporaryDirectory() as d:
        db = Database(f"sqlite:///{d}/bench.sqlite3")
        sink = NullSink(keep=True, realtime=True)
        player = ZonePlayer(db, {"main": sink}, MediaSource(db, None, Path(d) / "media"),
                            speech=Speech(Renderer(cache_dir=f"{d}/cache")), poll_s=0.05).start()
        try:
            for i in range(runs):
                texts = [["zh-CN", f"请{i + 3}号家长到游客中心接孩子。孩子穿着红色外套，正在等您。"],
                         ["en", f"Would the parents of child number {i + 3} please come to the visitor centre. "
                                "The child wears a red coat and is waiting for you."]]
                texts.sort(key=lambda part: part[0] != first)
                for label, out in (("cold", cold), ("warm", warm)):
                    sink.blocks.clear()
                    t0 = time.monotonic()
                    with db.session() as s:
                        airings.request(s, airings.Request(key=f"bench:{i}:{label}", ref=f"bench:{i}", kind="emergency",
                                                           title="bench page", zones=["main"], priority=90,
                                                           pieces=[{"type": "chime", "name": "urgent_page"},
                                                                   {"type": "speech", "parts": texts}]), db.signals)
                    out.append(_first_speech_ms(sink, bell, t0))
                    while not player.engine.idle():
                        time.sleep(0.05)
        finally:
            player.stop()
            db.dispose()
    return statistics.median(cold), max(cold), statistics.median(warm), max(warm), bell / 48_000 * 1000


def _first_speech_ms(sink, bell, t0, timeout=60.0):
    """ms from ``t0`` to the first sound at the sink after the chime."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = 0
        for t, b in list(sink.blocks):
            n += len(b)
            if n > bell + len(b) and np.abs(b.astype(np.int32)).max() > 300:
                return (t - t0) * 1000
        time.sleep(0.01)
    return float("nan")


def recording_gain_cost(seconds=600):
    """CPU seconds, wall seconds and peak traced memory (MB, tracemalloc: NumPy's arrays included)
    of measuring a programme recording's gain through the limiter (playlists.library.recording_gain):
    ``seconds`` of a quiet voice with a clap near full scale every 1.25 s, a 16-bit mono WAV."""
    import tracemalloc

    import soundfile as sf

    from playlists.library import recording_gain

    rng = np.random.default_rng(13)
    t = np.arange(48_000 * seconds) / 48_000
    x = rng.normal(0, 0.02, t.size) * (np.sin(2 * np.pi * 3.7 * t) > -0.2)
    for at in range(20_000, t.size - 4_800, 60_000):
        x[at:at + 2_400] += 0.97 * np.sign(rng.normal(size=2_400)) * np.exp(-np.arange(2_400) / 240)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "peaky.wav"
        sf.write(path, np.clip(x, -1, 1), 48_000, subtype="PCM_16")
        del x, t
        tracemalloc.start()
        cpu, wall = time.process_time(), time.perf_counter()
        gain = recording_gain(path)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return gain, cpu, wall, peak


def main():
    print("| engine | language | audio s | render s | real-time factor | target |")
    print("|---|---|---|---|---|---|")
    espeak, piper = EspeakEngine(), PiperEngine()
    for engine, langs in ((espeak, ["zh-CN", "yue", "ru", "en"]), (piper, ["en"])):
        for lang in langs:
            dur, dt, f = rtf(engine, lang)
            print(f"| {engine.name} | {lang} | {dur:.1f} | {dt:.3f} | {f:.0f}x | >= 20x |")
    print()
    print("| measure | value | target |")
    print("|---|---|---|")
    short = [("zh-CN", TEXTS["zh-CN"]), ("en", TEXTS["en"])]
    long = [("zh-CN", TEXTS["zh-CN"] * 3), ("en", TEXTS["en"] * 3)]  # about a minute of audio
    for label, parts in (("bilingual script", short), ("long bilingual script", long)):
        cold, dur, mem, disk = cache_times(parts)
        print(f"| {label}, cold render ({dur:.1f} s of audio) | {cold:.0f} ms | |")
        print(f"| {label}, cache hit, memory (median of 50) | {mem:.3f} ms | < 5 ms |")
        print(f"| {label}, cache hit, disk, new renderer (median of 10) | {disk:.2f} ms | < 5 ms |")
    med, worst = first_block_ms()
    print(f"| play() to first block at the sink (median / max of 50) | {med:.2f} / {worst:.2f} ms | < 20 ms |")
    n, mean, low, high, peak, off = corpus_levels()
    print(f"| corpus: {n} rendered items, integrated loudness mean (min..max), ffmpeg | {mean:.2f} ({low:.1f}..{high:.1f}) LUFS "
          f"| -20 +-0.5 |")
    print(f"| corpus: items off target by more than 0.5 LU; highest true peak | {off}; {peak:.1f} dBTP | 0; <= -1 dBTP |")
    for first in ("zh-CN", "en"):
        c_med, c_max, w_med, w_max, bell_ms = trigger_to_speech(first=first)
        print(f"| page trigger -> first speech sample, {first} first, cold (median / max of 3) | {c_med:.0f} / "
              f"{c_max:.0f} ms | <= {bell_ms + 200:.0f} ms |")
        print(f"| page trigger -> first speech sample, {first} first, warm (median / max of 3) | {w_med:.0f} / "
              f"{w_max:.0f} ms | <= {bell_ms + 200:.0f} ms |")
    mb, fmt, flac, wav, load = airlog_per_hour()
    print(f"| air logger: disk per hour of music ({fmt}; FLAC {flac:.0f} MB, WAV {wav:.0f} MB) | {mb:.1f} MB | "
          f"<= {75e3 / 31 / 24 / 3:.0f} MB (75 GB: 31 days of 3 zones) |")
    print(f"| air logger: disk per zone in 31 days of non-stop music | {mb * 24 * 31 / 1000:.1f} GB | |")
    print(f"| air logger: encoding time per second of audio | {load * 1000:.1f} ms | < 20 ms |")
    gain, cpu, wall, peak = recording_gain_cost()
    print(f"| programme recording's gain through the limiter, 10-minute peaky WAV ({gain:+.2f} dB): CPU (wall) / "
          f"peak memory | {cpu:.1f} s ({wall:.1f} s) / {peak:.1f} MB | measured once, stored "
          "(stop 25: a model-guided search, 5-6 s; its first version 20-33 s) |")


if __name__ == "__main__":
    main()
