"""Can the venue be heard in each of its languages? An engine that is down (gTTS with no network) is
not a fault while another engine speaks the language (espeak-ng offline); a language no engine can
speak is."""
from __future__ import annotations


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
