"""The venue's voices: its renderer (speech levelled to its loudness target, piper voices from its
``var/voices`` folder, renders cached in ``var/cache/tts``, wherever the service is started from), and
whether the venue can be heard in each of its languages: an engine that is down (gTTS with no network)
is not a fault while another engine speaks the language (espeak-ng offline); a language no engine can
speak is."""
from __future__ import annotations

import os


def venue_renderer(settings):
    """The renderer of the venue's speech, its folders under the venue's ``var`` (``PA_VAR_DIR``; the
    voices folder may be put elsewhere with ``PA_VOICES_DIR``), not under the current directory."""
    from audio.render import Renderer
    from audio.tts.chain import default_chain
    from broadcaster.settings import var_dir

    voices = os.environ.get("PA_VOICES_DIR") or str(var_dir() / "voices")
    return Renderer(var_dir() / "cache" / "tts", default_chain(voices), target_lufs=settings.loudness_lufs)


def mute_languages(renderer, languages: list[str]) -> dict[str, str]:
    """Venue language -> why no engine can speak it, for the languages nobody can speak now. An engine
    that has not failed counts as able (it is tried when its turn comes)."""
    chain = renderer.chain
    failures = dict(chain.failures)
    out: dict[str, str] = {}
    for lang in languages:
        try:
            candidates = [engine.name for engine, _voice in chain.candidates(lang)]
        except Exception as exc:  # noqa: BLE001 - no engine here has a voice for it
            out[lang] = f"no speech engine here can speak {lang}: {exc}"
            continue
        if all(name in failures for name in candidates):
            why = "; ".join(f"{name}: {failures[name]}" for name in candidates)
            out[lang] = f"no speech engine can speak {lang} now ({why})"
    return out
