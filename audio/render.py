"""Rendering: text -> speech (cached, with engine fallback) and bilingual scripts assembled with
lead-in silence, chimes, a gap between languages and loudness normalisation, at the house rate."""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence


from audio import chimes, loudness
from audio.cache import RenderCache, cache_key
from audio.pcm import SAMPLE_RATE, Pcm
from audio.text import EmptyText, Unspeakable, clean_text, normalize_lang, speakable, split_sentences
from audio.tts.base import EngineChain, Speech
from audio.tts.chain import default_chain

SENTENCE_PAUSE_S = 0.35
#: Levelled sentences :meth:`Renderer.say` keeps for pages' repeats (the same objects the player airs).
SAID_KEPT = 32
#: Part of every script's cache key: a change to how scripts are assembled or levelled renders anew.
RENDER_VERSION = "3:whole-gating-blocks"


@dataclass(frozen=True)
class Rendered:
    pcm: Pcm
    engines: list[str]  # per language part, in order: which engine spoke
    sha256: str


class Renderer:
    def __init__(self, cache_dir: str | Path | None = None, chain: EngineChain | None = None, *,
                 target_lufs: float = loudness.DEFAULT_TARGET_LUFS, gap: float = 0.6, lead_in: float = 0.3,
                 max_sentence_chars: int = 200) -> None:
        if cache_dir is None:
            cache_dir = Path(os.environ.get("PA_VAR_DIR", "var")) / "cache" / "tts"
        self.cache = RenderCache(cache_dir)
        self.chain = chain or default_chain()
        self.target_lufs = target_lufs
        self.gap = gap
        self.lead_in = lead_in
        self.max_sentence_chars = max_sentence_chars
        self._said: OrderedDict[tuple, tuple[Pcm, str]] = OrderedDict()  # levelled, for repeats
        self._said_lock = threading.Lock()

    # -- one language ---------------------------------------------------------------------
    def _sentence(self, text: str, lang: str) -> tuple[Pcm, str]:
        """One sentence, cached under the engine that actually spoke it."""
        candidates = self.chain.candidates(lang)
        keys = {e.name: cache_key(e.name, voice, lang, e.options, text) for e, voice in candidates}
        for key in keys.values():  # an earlier render by any engine of the chain is reused
            hit = self.cache.get(key)
            if hit is not None:
                return hit

        def render() -> tuple[Pcm, str]:
            speech = self.chain.speak(text, lang)
            return speech.pcm.resampled(SAMPLE_RATE), speech.engine

        first = next(iter(keys.values()))  # concurrent callers share the one render in flight
        return self.cache.get_or_render(first, render, store_as=lambda engine: keys.get(engine.split(":")[0], first))

    def _sentences(self, text: str, lang: str) -> list[str]:
        sentences = split_sentences(clean_text(text or ""), self.max_sentence_chars)
        if not sentences and not (text or "").strip():
            raise EmptyText(f"nothing to say in {lang!r}: the text is empty")
        sentences = [x for x in sentences if speakable(x)]  # a line of emoji or dashes is not sent to an engine
        if not sentences:
            raise Unspeakable(lang, text)
        return sentences

    def plan(self, parts: Sequence[tuple[str, str]]) -> list[tuple[str, str] | float]:
        """What a script's speech says, in order, without rendering it: ``(lang, sentence)`` to speak
        and pauses in seconds between them (between sentences, and the gap between languages).
        Refused as :meth:`speak` refuses (empty or unspeakable text)."""
        out: list[tuple[str, str] | float] = []
        for i, (lang, text) in enumerate(parts):
            lang = normalize_lang(lang)
            if i:
                out.append(float(self.gap))
            for j, sentence in enumerate(self._sentences(text, lang)):
                if j:
                    out.append(SENTENCE_PAUSE_S)
                out.append((lang, sentence))
        return out

    def say(self, sentence: str, lang: str) -> tuple[Pcm, str]:
        """One sentence of a :meth:`plan`, on the loudness target under the true-peak ceiling, ready to
        air while the next renders: (samples as they will air, the engine that spoke)."""
        key = (normalize_lang(lang), sentence, self.target_lufs)  # a new target: levelled anew
        with self._said_lock:
            hit = self._said.get(key)
            if hit is not None:
                self._said.move_to_end(key)
                return hit
        pcm, engine = self._sentence(sentence, key[0])
        pcm = loudness.normalize(pcm, self.target_lufs, whole=True)  # a sentence airs alone, between pauses
        out = Pcm.from_int16(pcm.to_int16(), pcm.rate), engine
        with self._said_lock:
            self._said[key] = out
            while len(self._said) > SAID_KEPT:
                self._said.popitem(last=False)
        return out

    def speak(self, text: str, lang: str) -> Speech:
        """One language, split at sentences, each sentence cached; loudness-normalised."""
        lang = normalize_lang(lang)
        sentences = self._sentences(text, lang)
        pieces, engines = [], []
        for i, sentence in enumerate(sentences):
            pcm, engine = self._sentence(sentence, lang)
            if i:
                pieces.append(Pcm.silence(SENTENCE_PAUSE_S))
            pieces.append(pcm)
            if engine not in engines:
                engines.append(engine)
        speech = loudness.normalize(Pcm.concat(pieces), self.target_lufs)
        return Speech(speech, "+".join(engines))

    # -- a whole script -------------------------------------------------------------------
    def render_script(self, parts: Sequence[tuple[str, str]], chime: str | None = "announcement", *,
                      lead_in: float | None = None, gap: float | None = None, end_chime: bool = True) -> Rendered:
        """lead-in silence, chime, first language, gap, second language..., end chime."""
        parts = [(normalize_lang(lang), text) for lang, text in parts]
        if not parts:
            raise EmptyText("a script needs text in at least one language")
        lead_in = self.lead_in if lead_in is None else lead_in
        gap = self.gap if gap is None else gap
        if lead_in < 0 or gap < 0:
            raise ValueError("lead_in and gap must be >= 0 seconds")
        # the chimes' own samples are in the key: a venue's new chime renders anew
        rings = [self.cache.sha256(chimes.chime(k)) for k in ((chime, "end") if end_chime else (chime,)) if chime]
        key = cache_key("script", RENDER_VERSION, repr(parts), str(chime), f"{lead_in:g}", f"{gap:g}", str(end_chime),
                        f"{self.target_lufs:g}", repr(sorted(self.chain.order.items())), *rings)
        hit = self.cache.get(key)
        if hit is not None:
            pcm, engines = hit
            return Rendered(pcm, engines.split("\n"), self.cache.sha256(pcm))
        speeches = [self.speak(text, lang) for lang, text in parts]
        body: list[Pcm] = []
        for i, sp in enumerate(speeches):
            if i:
                body.append(Pcm.silence(gap))
            body.append(sp.pcm)
        engines = [sp.engine for sp in speeches]
        pcm, _ = self.cache.put(key, self._frame(body, chime, lead_in, end_chime), "\n".join(engines))
        return Rendered(pcm, engines, self.cache.sha256(pcm))

    def render_recording(self, recording: Pcm, chime: str | None = "announcement", *,
                         lead_in: float | None = None) -> Rendered:
        """A recorded announcement framed like a script: lead-in, chime, the recording, end chime."""
        lead_in = self.lead_in if lead_in is None else lead_in
        body = [loudness.normalize(recording.resampled(SAMPLE_RATE), self.target_lufs)]
        pcm = self._frame(body, chime, lead_in, end_chime=True)
        return Rendered(pcm, ["recording"], pcm.sha256())

    def _frame(self, body: list[Pcm], chime: str | None, lead_in: float, end_chime: bool) -> Pcm:
        """lead-in, chime, ``body``, end chime; the whole on the loudness target under the true-peak
        ceiling, ending on a whole gating step (:func:`audio.loudness.whole_blocks`: a short item
        measures the same on every meter); frozen to the int16 samples that will air."""
        seq: list[Pcm] = [Pcm.silence(lead_in)]
        if chime:
            seq += [self._chime(chime), Pcm.silence(0.3)]
        seq += body
        if chime and end_chime:
            seq += [Pcm.silence(0.3), self._chime("end")]
        pcm = loudness.normalize(Pcm.concat(seq), self.target_lufs, whole=True)  # the item on target, limited
        return Pcm.from_int16(pcm.to_int16(), pcm.rate)

    def _chime(self, kind: str) -> Pcm:
        return chimes.levelled(chimes.chime(kind), self.target_lufs)  # kept at the default level

    def warm(self, languages) -> None:
        """Load the voices that speak ``languages`` first, so the first page does not wait for them."""
        self.chain.warm(languages)

    def health(self) -> dict[str, str]:
        """Engine name -> "ok" or its last error."""
        return {name: self.chain.failures.get(name, "ok") for name in self.chain.engines}


