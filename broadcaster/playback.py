"""Playback of what aired: the stretch of an as-run row cut from the air logger's hourly files of its
zone (:mod:`audio.airlog`), the proof of what the public heard. The logger's files are on the machine
whose player aired the zone; the panel plays what this machine's ``var/air`` holds."""
from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import soundfile as sf

from audio.airlog import AirLog
from audio.pcm import SAMPLE_RATE
from audio.sinks import DEVICE_BUFFER_S

#: The longest stretch one playback gives (a music bed's row may span hours): its first hour.
MAX_PLAY_S = 3600.0
#: As-run times are stamped as audio is handed to the output, which takes it up to its buffer (and a
#: block) ahead of the speaker, while the logger's clock runs with the samples from the start of a
#: stretch: an item's end is sought this much later, so its tail is never cut off.
HANDOVER_LEAD_S = DEVICE_BUFFER_S + 0.02


def air_log_folder(var: str | Path, zone: str) -> Path:
    return Path(var) / "air" / zone


def _safe(zone: str) -> bool:
    return bool(zone) and zone not in (".", "..") and "/" not in zone and "\\" not in zone and "\0" not in zone


def kept(var: str | Path, zone: str) -> bool:
    """Does the air logger keep anything of ``zone`` here (a play control is worth showing)?"""
    return _safe(zone) and air_log_folder(var, zone).is_dir()


def aired(var: str | Path, zone: str, started_at: datetime, ended_at: datetime | None,
          now: datetime | None = None) -> np.ndarray:
    """The int16 samples the zone aired from ``started_at`` to ``ended_at`` (still airing: until
    ``now``), at most :data:`MAX_PLAY_S`; empty when the logger keeps none of it."""
    if not kept(var, zone):
        return np.zeros(0, np.int16)
    end = ended_at + timedelta(seconds=HANDOVER_LEAD_S) if ended_at else now or started_at + timedelta(seconds=MAX_PLAY_S)
    end = min(end, started_at + timedelta(seconds=MAX_PLAY_S))
    return AirLog(air_log_folder(var, zone)).cut(started_at.timestamp(), end.timestamp())


def as_flac(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="FLAC", subtype="PCM_16")
    return buf.getvalue()
