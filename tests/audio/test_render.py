"""Render cache and bilingual rendering with the real offline engines."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from audio import chimes, loudness
from audio.cache import RenderCache
from audio.decode import UndecodableAudio, load_audio
from audio.pcm import AudioError, Pcm
from audio.render import Renderer
from audio.text import EmptyText
from audio.tts.base import EngineChain, TTSEngine, TTSError
from audio.tts.espeak import EspeakEngine

ZH = "各位游客请注意。园区将于十八点闭园。"
EN = "Dear visitors. The park closes at six p.m."


@pytest.fixture
def renderer(tmp_path):
    return Renderer(cache_dir=tmp_path / "cache")


def test_bilingual_script_layout(renderer):
    out = renderer.render_script([("zh-CN", ZH), ("en", EN)], chime="announcement", lead_in=0.5)
    assert out.engines == ["espeak:cmn", "piper:en_US-joe-medium"]
    s = out.pcm.samples
    assert out.pcm.rate == 48_000
    assert not s[: int(0.5 * 48_000)].any()  # lead-in silence for the amplifier to wake
    first_sound = np.flatnonzero(np.abs(s) > 0.01)[0] / 48_000
    assert 0.49 < first_sound < 0.6  # then the chime
    zh, en = renderer.speak(ZH, "zh-CN").pcm, renderer.speak(EN, "en").pcm
    start = chimes.chime("announcement").duration + 0.3 + 0.5
    expected = start + zh.duration + renderer.gap + en.duration + 0.3 + chimes.chime("end").duration
    assert 0 <= out.pcm.duration - expected < 0.1  # and silence to end on a whole 100 ms gating step
    assert len(out.pcm) % 4_800 == 0 and not s[int(round(expected * 48_000)):].any()
    assert out.pcm.peak <= 10 ** (-1 / 20) + 1e-4
    assert out.sha256 == out.pcm.sha256()


def test_cache_hits_are_byte_identical_memory_and_disk(renderer, tmp_path):
    a = renderer.render_script([("zh-CN", ZH), ("en", EN)])
    b = renderer.render_script([("zh-CN", ZH), ("en", EN)])
    fresh = Renderer(cache_dir=tmp_path / "cache")  # a new process: only the disk is shared
    calls = []
    for engine in fresh.chain.engines.values():
        orig = engine.synthesize
        engine.synthesize = lambda t, l, orig=orig: calls.append(t) or orig(t, l)
    c = fresh.render_script([("zh-CN", ZH), ("en", EN)])
    assert a.pcm.to_int16().tobytes() == b.pcm.to_int16().tobytes() == c.pcm.to_int16().tobytes()
    assert a.sha256 == b.sha256 == c.sha256
    assert calls == []  # nothing re-synthesised
    # sentences are cached too: a new script reusing a sentence synthesises only the new one
    fresh.render_script([("zh-CN", "各位游客请注意。游客中心有失物招领。")])
    assert calls == ["游客中心有失物招领。"]


def test_edit_changes_the_hash(renderer):
    a = renderer.render_script([("en", EN)])
    b = renderer.render_script([("en", EN.replace("six", "seven"))])
    assert a.sha256 != b.sha256


class Counting(TTSEngine):
    name = "counting"

    def __init__(self, fail_times=0):
        self.calls, self.fail_times = 0, fail_times
        self.gate = threading.Event()

    def voice_for(self, lang):
        return "v"

    def synthesize(self, text, lang):
        self.calls += 1
        self.gate.wait(5)
        if self.calls <= self.fail_times:
            raise TTSError("engine down")
        return Pcm(np.full(48_000, 0.2, np.float32))


def test_concurrent_requests_share_one_render(tmp_path):
    engine = Counting()
    r = Renderer(cache_dir=tmp_path, chain=EngineChain([engine], {"*": ["counting"]}))
    results = []
    threads = [threading.Thread(target=lambda: results.append(r.speak("same text", "en").pcm.sha256()))
               for _ in range(5)]
    [t.start() for t in threads]
    engine.gate.set()
    [t.join() for t in threads]
    assert engine.calls == 1
    assert len(results) == 5 and len(set(results)) == 1


def test_failed_render_is_not_cached(tmp_path):
    engine = Counting(fail_times=1)
    engine.gate.set()
    r = Renderer(cache_dir=tmp_path, chain=EngineChain([engine], {"*": ["counting"]}, retry_after=0))
    with pytest.raises(TTSError):
        r.speak("text", "en")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
    assert r.speak("text", "en").pcm.duration == pytest.approx(1.0)
    assert engine.calls == 2


def test_fallback_engine_is_recorded_and_cached_under_its_own_key(tmp_path):
    class Down(Counting):
        name = "down"

    down = Down(fail_times=99)
    down.gate.set()
    r = Renderer(cache_dir=tmp_path, chain=EngineChain([down, EspeakEngine()], {"*": ["down", "espeak"]}))
    assert r.speak("hello", "en").engine == "espeak:en-us"
    assert r.speak("hello", "en").engine == "espeak:en-us"  # from the cache
    assert down.calls == 1


def test_empty_and_unknown(renderer):
    with pytest.raises(EmptyText):
        renderer.render_script([("en", "   ")])
    with pytest.raises(EmptyText):
        renderer.render_script([])
    with pytest.raises(AudioError, match="unsupported language"):
        renderer.render_script([("xx", "hello")])


def test_chimes_differ_per_class_and_are_deterministic():
    kinds = ["emergency", "urgent_page", "announcement", "programme"]
    hashes = {k: chimes.chime(k).sha256() for k in kinds}
    assert len(set(hashes.values())) == 4
    chimes.generated.cache_clear()
    assert chimes.chime("urgent_page").sha256() == hashes["urgent_page"]
    with pytest.raises(AudioError, match="unknown chime"):
        chimes.chime("disco")


def test_loudness_target_without_clipping():
    t = np.arange(48_000 * 2) / 48_000
    quiet = Pcm((0.01 * np.sin(2 * np.pi * 440 * t)).astype(np.float32))
    out = loudness.normalize(quiet, -20.0)
    assert abs(loudness.measure(out) + 20.0) < 1.0
    spiky = np.full(48_000 * 2, 0.001, np.float32)
    spiky[1000] = 0.9  # one loud click: gain must stop at the ceiling, not clip it
    out = loudness.normalize(Pcm(spiky), -10.0)
    assert out.peak <= 10 ** (-1 / 20) + 1e-6


def test_decode_any_format_and_refuse_non_audio(tmp_path):
    import soundfile as sf

    t = np.arange(44_100) / 44_100
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 440 * t)], axis=1) * 0.5
    for ext, fmt in (("flac", "FLAC"), ("ogg", "OGG"), ("mp3", "MP3")):
        path = tmp_path / f"a.{ext}"
        sf.write(path, stereo, 44_100, format=fmt)
        pcm = load_audio(path)
        assert pcm.rate == 48_000 and abs(pcm.duration - 1.0) < 0.06 and pcm.rms > 0.2
    (tmp_path / "evil.wav").write_bytes(b"<script>alert(1)</script>")
    with pytest.raises(UndecodableAudio, match="not a readable audio file"):
        load_audio(tmp_path / "evil.wav")
    with pytest.raises(UndecodableAudio):
        load_audio(b"\x00" * 100)
    with pytest.raises(UndecodableAudio, match="no such audio file"):
        load_audio(tmp_path / "missing.wav")
    with pytest.raises(UndecodableAudio, match="empty"):
        load_audio(b"")


def test_cache_survives_a_damaged_entry(tmp_path):
    cache = RenderCache(tmp_path)
    pcm = Pcm(np.full(100, 0.5, np.float32))
    cache.put("ab" * 32, pcm, "x:y")
    [path] = [p for p in tmp_path.rglob("*") if p.is_file()]  # one file an entry
    whole = path.read_bytes()
    flipped = bytearray(whole)
    flipped[-20] ^= 0x01  # one bit of one sample
    for damaged in (b"garbage", whole[:-2], whole + b"\x00\x00", b"\n" + whole, bytes(flipped)):  # garbled,
        # short, long, a sample changed
        path.write_bytes(damaged)
        assert RenderCache(tmp_path).get("ab" * 32) is None
    path.write_bytes(whole)
    assert RenderCache(tmp_path).get("ab" * 32)[1] == "x:y"


def test_a_disk_hit_is_the_first_render_and_its_hash_with_no_hashing(tmp_path, monkeypatch):
    """A disk hit is the int16 samples first rendered and their Pcm.sha256 as written, not hashed
    again (a minute of speech is 5.8 MB: 3 of the 6 ms a hit took)."""
    rng = np.random.default_rng(11)
    pcm = Pcm(rng.uniform(-1.2, 1.2, 48_000 * 3 + 7).astype(np.float32))  # clipped samples included
    stored, _ = RenderCache(tmp_path).put("ef" * 32, pcm, "espeak:cmn\npiper:en")
    fresh = RenderCache(tmp_path)

    class NoHashing:
        def sha256(self, *a):
            raise AssertionError("a disk hit hashed its samples again")

    monkeypatch.setattr("audio.pcm.hashlib", NoHashing())
    reread, meta = fresh.get("ef" * 32)
    digest = fresh.sha256(reread)
    monkeypatch.undo()
    assert meta == "espeak:cmn\npiper:en"
    assert reread.samples.tobytes() == stored.samples.tobytes() == Pcm.from_int16(pcm.to_int16(), 48_000).samples.tobytes()
    assert digest == reread.sha256() == pcm.sha256()


def test_disk_tier_is_bounded_least_recently_used_first(tmp_path, monkeypatch):
    """Entries read or written longest ago go first once the disk tier is over its size (at start, and
    every TRIM_EVERY entries written); a hit keeps its entry; entries of the older format (.wav with
    .engine) are never read, so they go at start."""
    import os

    monkeypatch.setattr("audio.cache.TRIM_EVERY", 1)
    old = tmp_path / "ab" / ("ab" * 32 + ".wav")
    old.parent.mkdir()
    old.write_bytes(b"RIFF")
    old.with_suffix(".engine").write_text("espeak:cmn")
    one = 2 * 48_000 + 200  # an entry: a second of samples and its header line
    cache = RenderCache(tmp_path, max_disk_bytes=3 * one)
    assert not old.exists() and not old.with_suffix(".engine").exists()
    keys = [f"{i:064x}" for i in range(5)]
    for i, key in enumerate(keys[:3]):
        cache.put(key, Pcm(np.full(48_000, 0.1 * (i + 1), np.float32)), "e:v")
        path = cache._path(key)
        os.utime(path, (1000 + i, 1000 + i))  # written a second apart
    assert RenderCache(tmp_path).get(keys[0]) is not None  # read again: now the most recently used
    cache.put(keys[3], Pcm(np.full(48_000, 0.4, np.float32)), "e:v")
    cache._trimming.join(5)  # (trimmed on a thread of its own, off the render's path)
    on_disk = {p.stem for p in tmp_path.rglob("*.pcm")}
    assert keys[1] not in on_disk, "the entry used longest ago goes"
    assert {keys[0], keys[2], keys[3]} <= on_disk
    assert sum(p.stat().st_size for p in tmp_path.rglob("*.pcm")) <= 3 * one


def test_memory_tier_is_bounded_in_bytes(tmp_path):
    cache = RenderCache(tmp_path, max_bytes=3 * 48_000 * 4)  # room for three one-second entries
    for i in range(5):
        cache.put(f"{i:064x}", Pcm(np.full(48_000, 0.1 * (i + 1), np.float32)), "e:v")
    assert len(cache._mem) == 3 and cache.mem_bytes == 3 * 48_000 * 4
    first = cache.get(f"{0:064x}")  # evicted from memory, still on disk
    assert first is not None and first[0].samples[0] == pytest.approx(0.1, abs=1e-4)


@pytest.mark.parametrize("lang,text", [("zh-CN", ZH), ("en", EN), ("ru", "Уважаемые посетители. Парк закрывается.")])
def test_spoken_parts_reach_the_loudness_target_without_clipping(renderer, lang, text):
    speech = renderer.speak(text, lang).pcm
    ceiling = 10 ** (loudness.TRUE_PEAK_CEILING_DBTP / 20)
    assert speech.peak <= ceiling + 1e-4
    measured = loudness.measure(speech)
    if speech.peak < ceiling * 0.99:  # not held back by the peak cap: must sit on the target
        assert abs(measured - renderer.target_lufs) < 1.0
    else:
        assert measured <= renderer.target_lufs + 1.0


def test_unsupported_language_lists_what_the_chain_speaks(tmp_path):
    class EnglishOnly(Counting):
        name = "english"

        def voice_for(self, lang):
            return "v" if lang == "en" else None

    r = Renderer(cache_dir=tmp_path, chain=EngineChain([EnglishOnly()], {"*": ["english"]}))
    with pytest.raises(AudioError, match=r"no engine can speak 'ru'; tried english: has no ru voice \(languages this machine speaks: en\)$"):
        r.speak("Привет.", "ru")


def test_an_engine_left_out_of_a_languages_order_is_named_as_able(tmp_path):
    """PA_TTS_CHAIN="zh-CN=piper": the error says espeak could speak it, instead of leaving zh-CN out
    of the machine's languages as if nothing could."""
    class EnglishOnly(Counting):
        name = "english"

        def voice_for(self, lang):
            return "v" if lang == "en" else None

    class Chinese(Counting):
        name = "chinese"

        def voice_for(self, lang):
            return "v" if lang == "zh-CN" else None

    chain = EngineChain([EnglishOnly(), Chinese()], {"zh-CN": ["english"], "*": ["english", "chinese"]})
    with pytest.raises(AudioError, match=r"tried english: has no zh-CN voice; chinese could: add it to the "
                                         r"order for zh-CN"):
        Renderer(cache_dir=tmp_path, chain=chain).speak("你好。", "zh-CN")


def test_cache_digest_is_the_airing_hash(tmp_path):
    from audio.cache import pcm16_digest

    rng = np.random.default_rng(7)
    pcm = Pcm(rng.uniform(-1.2, 1.2, 4801).astype(np.float32), 24_000)  # includes clipped samples
    assert pcm16_digest(pcm.to_int16(), pcm.rate) == pcm.sha256()
    stored, _ = RenderCache(tmp_path).put("cd" * 32, pcm, "e:v")
    reread, _ = RenderCache(tmp_path).get("cd" * 32)
    assert RenderCache(tmp_path).sha256(reread) == reread.sha256() == stored.sha256() == pcm.sha256()


def test_a_part_with_nothing_speakable_is_refused_by_name(renderer):
    from audio.text import Unspeakable

    with pytest.raises(Unspeakable, match="the en text has nothing that can be spoken") as err:
        renderer.render_script([("zh-CN", ZH), ("en", "🎉🎉 !!! \x07")])
    assert err.value.lang == "en"
    # a line of emoji among sentences is left out; control characters are never sent to an engine
    mixed = renderer.speak("Dear visitors. 🎉🎉🎉. The park closes at six p.m.", "en").pcm
    assert mixed.sha256() == renderer.speak(EN, "en").pcm.sha256()
    assert renderer.speak("Dear\x07 visitors.\u200b The park closes at six p.m.", "en").pcm.sha256() == mixed.sha256()


def test_a_script_hit_hashes_nothing_again(renderer, monkeypatch):
    """A script asked for again is keyed by its chimes' samples, hashed once for the renderer (the
    built-in and venue chimes are kept objects), and served with the hash it was rendered with."""
    first = renderer.render_script([("en", EN)])

    class NoHashing:
        def sha256(self, *a):
            raise AssertionError("hashed samples again")

    monkeypatch.setattr("audio.pcm.hashlib", NoHashing())
    again = renderer.render_script([("en", EN)])
    monkeypatch.undo()
    assert again.pcm is first.pcm and again.sha256 == first.sha256 == first.pcm.sha256()
