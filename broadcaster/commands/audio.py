"""`broadcaster devices | say | play`: hear the audio layer directly."""
from __future__ import annotations

import argparse

from audio.decode import load_audio
from audio.player import Player
from audio.render import Renderer
from audio.sinks import AudioError, list_devices, open_sink


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("devices", help="list audio output devices")
    p.set_defaults(func=cmd_devices)

    p = sub.add_parser("say", help="render a (bilingual) announcement and play it or save it")
    p.add_argument("--lang", required=True, help="first language, e.g. zh-CN")
    p.add_argument("text", help="text in the first language")
    p.add_argument("--lang2", nargs=2, metavar=("LANG2", "TEXT2"), help="second language and its text")
    p.add_argument("--chime", default="announcement",
                   help="emergency, urgent_page, announcement, programme, or none")
    p.add_argument("--out", help="write a WAV file instead of playing")
    p.add_argument("--device", default="device", help="sink: device, device:NAME, wav:PATH, null")
    p.set_defaults(func=cmd_say)

    p = sub.add_parser("play", help="play an audio file (WAV, FLAC, OGG, MP3)")
    p.add_argument("file")
    p.add_argument("--device", default="device", help="sink: device, device:NAME, wav:PATH, null")
    p.set_defaults(func=cmd_play)


def cmd_devices(args) -> int:
    try:
        devices = list_devices()
    except AudioError as exc:
        print(f"error: {exc}")
        return 1
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


def cmd_say(args) -> int:
    parts = [(args.lang, args.text)]
    if args.lang2:
        parts.append(tuple(args.lang2))
    try:
        out = Renderer().render_script(parts, chime=None if args.chime == "none" else args.chime)
        print(f"{out.pcm.duration:.1f} s, spoken by {', '.join(out.engines)}, sha256 {out.sha256[:16]}")
        _play(out.pcm, f"wav:{args.out}" if args.out else args.device)
    except AudioError as exc:
        print(f"error: {exc}")
        return 1
    if args.out:
        print(f"wrote {args.out}")
    return 0


def cmd_play(args) -> int:
    try:
        pcm = load_audio(args.file)
        print(f"{args.file}: {pcm.duration:.1f} s")
        _play(pcm, args.device)
    except AudioError as exc:
        print(f"error: {exc}")
        return 1
    return 0
