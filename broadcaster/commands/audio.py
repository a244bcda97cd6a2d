"""`broadcaster devices | say | play | chime`: hear the audio layer directly."""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import soundfile as sf

from audio import chimes
from audio.decode import load_audio
from audio.player import Player
from audio.tts.base import DEFAULT_ORDER, ENGINE_NAMES
from broadcaster.errors import BroadcasterError
from broadcaster.settings import load_settings
from broadcaster.voices import venue_renderer
from audio.sinks import AudioError, list_devices, open_sink


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("devices", help="list audio output devices")
    p.set_defaults(func=cmd_devices)

    order = "\n".join(f"    {lang}={','.join(names)}" for lang, names in DEFAULT_ORDER.items())
    p = sub.add_parser("say", help="render a (bilingual) announcement and play it or save it",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=f"""\
speech engines ({', '.join(ENGINE_NAMES)}):
  piper    offline neural voice: English built in; any piper voice (VOICE.onnx with its
           VOICE.onnx.json) put in $PA_VOICES_DIR (default var/voices) speaks its language
  espeak   espeak-ng, offline, every language here (Mandarin, Cantonese, Russian, ...)
  gtts     Google's online voice; needs the internet

Each language tries its engines in order and falls back to the next when one fails.
  default order (language=engines):
{order}

environment:
  PA_TTS_CHAIN      engine order per language, overriding the default for the languages it
                    names, e.g. PA_TTS_CHAIN="zh-CN=espeak; en=piper,espeak" ("*" = any other)
  PA_GTTS_DISABLED  set to 1 to never use the online voice (no internet, or not allowed)

Speech is levelled to {_target()},
its true peak under -1 dBTP. A text with nothing that can be spoken (only emoji or
punctuation), or written in another language's script, is refused.""")
    p.add_argument("--lang", required=True, help="first language, e.g. zh-CN")
    p.add_argument("text", help="text in the first language")
    p.add_argument("--lang2", nargs=2, metavar=("LANG2", "TEXT2"), help="second language and its text")
    p.add_argument("--chime", default="announcement",
                   help="emergency, urgent_page, announcement, programme, end, or none")
    p.add_argument("--out", metavar="FILE.wav", help="write a WAV file instead of playing (its folder must exist)")
    p.add_argument("--device", default="device", help="sink: device, device:NAME, wav:PATH, null")
    p.set_defaults(func=cmd_say)

    p = sub.add_parser("chime", help="the venue's own chimes: set one from a sound file, or back to the built-in one")
    csub = p.add_subparsers(dest="chime_command", metavar="ACTION", required=True)
    c = csub.add_parser("set", help="check, trim, fade and level a sound file and use it as a chime")
    c.add_argument("file", help="WAV, FLAC, OGG or MP3; 0.3 to 8 s of sound")
    c.add_argument("--for", dest="kind", default="announcement", choices=chimes.KINDS,
                   help="which chime it replaces (default: announcement)")
    c.set_defaults(func=cmd_chime_set)
    c = csub.add_parser("reset", help="go back to the built-in chime")
    c.add_argument("--for", dest="kind", default="announcement", choices=chimes.KINDS)
    c.set_defaults(func=cmd_chime_reset)
    c = csub.add_parser("list", help="which chimes are the venue's own")
    c.set_defaults(func=cmd_chime_list)

    p = sub.add_parser("play", help="play an audio file (WAV, FLAC, OGG, MP3)")
    p.add_argument("file")
    p.add_argument("--device", default="device", help="sink: device, device:NAME, wav:PATH, null")
    p.set_defaults(func=cmd_play)


def _target() -> str:
    """The loudness speech is levelled to, as the venue set it (settings ``loudness_lufs``)."""
    try:
        return f"{load_settings().loudness_lufs:g} LUFS (the venue's loudness_lufs)"
    except Exception:  # a broken settings file: help still answers, and says where the level comes from
        return "the venue's loudness_lufs (its settings)"


def cmd_devices(args) -> int:
    try:
        devices = list_devices()
    except AudioError as exc:
        return _fail(str(exc))
    for d in devices:
        mark = "*" if d["default"] else " "
        print(f"{mark} {d['index']:>3}  {d['name']}  ({d['channels']} ch, {d['rate']:.0f} Hz)")
    if not devices:
        print("no output devices")
    return 0


def _play(pcm, spec: str) -> None:
    sink = open_sink(spec)
    try:
        Player(sink).play(pcm)
    finally:
        sink.close()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _wav_path(spec: str) -> Path | None:
    """The file of a ``wav:PATH`` sink (None for any other sink)."""
    kind, _, path = spec.strip().partition(":")
    return Path(path) if kind == "wav" and path else None


def _writable(path: Path | None) -> str | None:
    """Why ``path`` cannot be written (None when it can be tried, or there is no file): checked before
    rendering. Its folder must exist: a mistyped path is refused, not created."""
    import os

    if path is None:
        return None
    if path.is_dir():
        return f"cannot write {path}: it is a folder"
    if path.parent.exists() and not path.parent.is_dir():
        return f"cannot write {path}: {path.parent} is a file, not a folder"
    if not path.parent.is_dir():
        return f"cannot write {path}: folder {path.parent} does not exist"
    existed = path.exists()
    try:  # tried for real (a folder may refuse new files though it looks writable: /proc)
        with open(path, "ab"):
            pass
        if not existed:
            os.unlink(path)
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None


def cmd_say(args) -> int:
    from broadcaster.venue import script_problem

    parts = [(args.lang, args.text)]
    if args.lang2:
        parts.append(tuple(args.lang2))
    for (lang, text), which in zip(parts, ("--lang", "--lang2")):
        if why := script_problem(lang, text):  # else spoken as letter names, or not at all
            return _fail(f"the {lang} text ({which}) is not in {lang}'s script: {why}")
    from audio.chimes import KINDS

    if args.chime not in (*KINDS, "none"):  # before the speech is rendered, with every choice
        return _fail(f"unknown chime {args.chime!r}; use one of {', '.join(KINDS)} or none")
    out_path = Path(args.out) if args.out else None
    if why := _writable(out_path or _wav_path(args.device)):
        return _fail(why)
    if out_path is not None and out_path.suffix.lower() in (".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac"):
        return _fail(f"cannot write {out_path}: --out writes a WAV file; name it .wav")  # not WAV under .mp3
    try:
        renderer = venue_renderer(load_settings())
        out = renderer.render_script(parts, chime=None if args.chime == "none" else args.chime)
    except (AudioError, BroadcasterError) as exc:  # BroadcasterError: a broken settings file
        return _fail(str(exc))
    except OSError as exc:  # the speech cache's folder cannot be written
        return _fail(f"cannot keep rendered speech in {exc.filename or 'the cache'}: {exc.strerror or exc}")
    print(f"{out.pcm.duration:.1f} s, spoken by {', '.join(out.engines)}, sha256 {out.sha256[:16]}")
    if out_path is None:
        try:
            _play(out.pcm, args.device)
        except AudioError as exc:
            return _fail(str(exc))
        return 0
    buf = io.BytesIO()
    sf.write(buf, out.pcm.to_int16(), out.pcm.rate, subtype="PCM_16", format="WAV")
    try:
        out_path.write_bytes(buf.getvalue())
    except OSError as exc:
        return _fail(f"cannot write {out_path}: {exc.strerror or exc}")
    print(f"wrote {out_path}")
    return 0


def cmd_play(args) -> int:
    if why := _writable(_wav_path(args.device)):
        return _fail(why)
    try:
        pcm = load_audio(args.file)
        print(f"{args.file}: {pcm.duration:.1f} s")
        _play(pcm, args.device)
    except AudioError as exc:
        return _fail(str(exc))
    return 0


def _database(url: str | None):
    """The venue's database, or one clear line when it cannot be reached (no traceback)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from broadcaster.store.db import Database, default_url

    try:
        return Database(url)
    except SQLAlchemyError as exc:
        where = make_url(url or default_url()).render_as_string(hide_password=True)
        why = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise BroadcasterError(f"cannot reach the database {where}: {why}; nothing was changed") from None


def cmd_chime_set(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from broadcaster import venue_chimes

    try:
        ready = chimes.read_chime(args.file)
        venue_chimes.set_chime(_database(args.db), ready, args.kind)  # here and for every player
    except chimes.BadChime as exc:
        return _fail(f"{args.file}: {exc}")
    except OSError as exc:
        return _fail(f"cannot keep the chime in {chimes.chime_dir()}: {exc.strerror or exc}")
    except SQLAlchemyError as exc:
        return _fail(f"the database refused the chime: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]}")
    print(f"the {args.kind} chime is now {Path(args.file).name} ({ready.duration:.1f} s, levelled)")
    return 0


def cmd_chime_reset(args) -> int:
    from broadcaster import venue_chimes

    removed = venue_chimes.reset_chime(_database(args.db), args.kind)
    print(f"the {args.kind} chime is the built-in one" + ("" if removed else " (it already was)"))
    return 0


def cmd_chime_list(args) -> int:
    for kind in chimes.KINDS:
        own = (chimes.chime_dir() / f"{kind}.wav").exists()
        print(f"{kind:<13} {'venue' if own else 'built-in'}  {chimes.chime(kind).duration:.1f} s")
    return 0
