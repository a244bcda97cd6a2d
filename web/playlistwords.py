"""A refused music upload in the staff's words, beside its field: the playlist's name, the files (each by
its own name, never the decoder's message), the crossfade. Every error found is said at once."""
from __future__ import annotations

import re

from web.i18n import t
from web.refusals import refusal


def file_words(message: str) -> str:
    """Why an uploaded music file was refused ("file 2 (song): ..." from playlists.library.check_audio)."""
    m = re.match(r"file \d+ \((.*?)\): (.*)$", message, re.S)
    name, why = (m[1], m[2]) if m else ("", message)
    if "no sound in it" in why:
        return t("“{file}” has no sound in it (under half a second).", file=name)
    if "is longer than" in why:
        return t("“{file}” is too long: a track may last at most an hour.", file=name)
    return t("“{file}” is not a sound file this system can read (use WAV, FLAC, OGG or MP3).", file=name)


def upload_errors(exc) -> dict[str, str]:
    """A refusal of the upload as {field: words}: name, files, crossfade_s."""
    from web.views import field_errors

    out = {}
    for field, what in field_errors(exc).items():
        if field == "name" and "already exists" in what:
            out["name"] = t("There is already a playlist with this name: choose another name.")
        elif field == "name":
            out["name"] = refusal(what) if what in ("required",) else t("Give the playlist a name (at most 120 "
                                                                          "characters).")
        elif field in ("files", "file"):
            out["files"] = t("Choose at least one music file.")
        elif field in ("crossfade", "crossfade_s"):
            out["crossfade_s"] = refusal(what) if not what.startswith("must be >=") else refusal(
                "must be greater than or equal to 0")
        else:  # "file 2 (song)": each bad file by its own name, all of them beside the files field
            said = file_words(f"{field}: {what}" if field != "_" else what)
            out["files"] = f"{out['files']} {said}" if out.get("files") else said
    return out
