"""Audio benchmark: render speed per engine and language (real-time factor), cache hit time (memory
and disk), and time from play() to the first block handed to the device.

Run: .venv/bin/python bench/audio.py
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

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


if __name__ == "__main__":
    main()
