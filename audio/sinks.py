"""Output sinks: the PortAudio device (sounddevice), a WAV file, or nothing.

A sink takes int16 blocks of shape (frames,) or (frames, channels) at ``sink.rate``. Mono blocks are
copied to every channel. A device that goes away raises :class:`DeviceLost` — never a hang: a watchdog
aborts a write that blocks longer than ``write_timeout``.

A write blocks while the sink's buffer is full (a device, or a realtime sink paced like one).
``room()`` says how many frames it takes now without waiting: one thread can feed many sinks,
writing to each only what it has room for.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np

from audio.pcm import SAMPLE_RATE, AudioError

log = logging.getLogger(__name__)


class DeviceLost(AudioError):
    """The output device failed or disappeared; the sink must be reopened."""


class Sink:
    """Base class. Subclasses implement ``_open``, ``_write`` and ``_close``."""

    name = "sink"
    _pacer: "_Pacer | None" = None  # a sink paced like a device (realtime null and WAV sinks)

    def __init__(self, rate: int = SAMPLE_RATE, channels: int = 1) -> None:
        if channels < 1:
            raise AudioError(f"channels must be >= 1, got {channels}")
        self.rate = rate
        self.channels = channels
        self.is_open = False

    def open(self) -> "Sink":
        if not self.is_open:
            self._open()
            self.is_open = True
        return self

    def write(self, block: np.ndarray) -> None:
        if not self.is_open:
            raise AudioError(f"{self.name}: write on a closed sink")
        block = np.asarray(block)
        if block.dtype != np.int16:
            raise AudioError(f"{self.name}: blocks must be int16, got {block.dtype}")
        if block.ndim == 1:
            block = np.repeat(block[:, None], self.channels, axis=1) if self.channels > 1 else block[:, None]
        if block.shape[1] != self.channels:
            raise AudioError(f"{self.name}: block has {block.shape[1]} channels, sink has {self.channels}")
        self._write(np.ascontiguousarray(block))

    def room(self) -> int:
        """Frames a write takes now without waiting. A sink not paced like a device takes any."""
        return self._pacer.room() if self._pacer is not None else 1 << 30

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            self._close()

    def __enter__(self) -> "Sink":
        return self.open()

    def __exit__(self, *exc) -> None:
        self.close()

    # subclass hooks
    def _open(self) -> None: ...
    def _write(self, block: np.ndarray) -> None: ...
    def _close(self) -> None: ...

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.rate} Hz x{self.channels}>"


#: Audio queued ahead of the speaker in a device's buffer. A Python process that also serves the panel
#: cannot promise the mixer the interpreter within one block: under 50 panel clients it waited up to
#: 170 ms now and then (bench/onair.py row 6 for 120 s: 240 underruns in 11 such moments with 80 ms of
#: buffer, none with 200 ms). A page still pre-empts within a block of the mix; it is heard one buffer
#: later (0.2 s: unnoticed by anyone in a hall, unlike a gap in the sound).
DEVICE_BUFFER_S = 0.2


class _Pacer:
    """Makes a non-device sink take as long as a real device would: a write returns once no more than
    ``DEVICE_BUFFER_S`` of audio is queued ahead of the (imaginary) speaker."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.buffer_s = DEVICE_BUFFER_S
        self._t0: float | None = None
        self._frames = 0

    def room(self) -> int:
        """Frames that fit in the buffer now (all of it after idle time)."""
        if self._t0 is None:
            return int(self.buffer_s * self.rate)
        queued = self._t0 * self.rate + self._frames - time.monotonic() * self.rate
        return max(0, int(self.buffer_s * self.rate - max(0.0, queued)))

    def wait(self, frames: int) -> float:
        """Wait until the buffer has room again. Returns how late the block came: seconds after the
        audio queued before it ran out (0 when on time, or the first after idle time)."""
        now = time.monotonic()
        runs_out = None if self._t0 is None else self._t0 + self._frames / self.rate
        late = 0.0 if runs_out is None else now - runs_out
        if runs_out is None or runs_out < now - 0.05:
            self._t0, self._frames = now, 0  # (re)anchor after idle time
        self._frames += frames
        delay = self._t0 + self._frames / self.rate - self.buffer_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return max(0.0, late)


class NullSink(Sink):
    """Discards audio. ``realtime=True`` paces writes to the wall clock like a real device;
    ``keep=True`` keeps every block with the monotonic time it was handed over (tests, benchmarks)."""

    name = "null"

    def __init__(self, rate: int = SAMPLE_RATE, channels: int = 1, *, realtime: bool = False,
                 keep: bool = False) -> None:
        super().__init__(rate, channels)
        self.realtime = realtime
        self.keep = keep
        self.blocks: list[tuple[float, np.ndarray]] = []
        self._pacer = _Pacer(rate) if realtime else None
        self._lock = threading.Lock()
        self.fail_next: Exception | None = None  # set to make the next write fail (device-loss drills)
        # realtime: writes that came after the audio queued before them ran out (a device would have
        # starved; bench/onair.py counts them). The first write after idle time counts too.
        self.underruns = 0

    def _write(self, block: np.ndarray) -> None:
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        if self.keep:
            with self._lock:
                self.blocks.append((time.monotonic(), block[:, 0].copy()))
        if self._pacer is not None and self._pacer.wait(block.shape[0]) > 0.002:  # timer jitter aside
            self.underruns += 1

    def samples(self) -> np.ndarray:
        with self._lock:
            return np.concatenate([b for _, b in self.blocks]) if self.blocks else np.zeros(0, np.int16)


class WavFileSink(Sink):
    """Writes 16-bit PCM WAV. Used for exports and, paced with ``realtime=True``, as a zone's output
    ``wav:PATH`` (the file is then a recording of what aired).

    Like a device, it can go away: a file or folder deleted under it raises :class:`DeviceLost` (on
    Linux the open file would otherwise swallow the audio without a word). Its folder is created on the
    first open only; reopened after a failure it appends to the recording, and stays lost while its
    folder is missing."""

    def __init__(self, path: str | Path, rate: int = SAMPLE_RATE, channels: int = 1, *,
                 realtime: bool = False) -> None:
        super().__init__(rate, channels)
        self.path = Path(path)
        self.name = f"wav:{self.path}"
        self._file = None
        self._opened = False  # opened before: a missing folder now means it was taken away
        self._pacer = _Pacer(rate) if realtime else None

    def _open(self) -> None:
        import soundfile as sf

        if not self._opened:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.parent.is_dir():
            raise DeviceLost(f"{self.name}: folder {self.path.parent} is gone")
        try:
            if self._opened and self.path.is_file():
                self._file = sf.SoundFile(str(self.path), "r+")
                self._file.seek(0, sf.SEEK_END)
            else:
                self._file = sf.SoundFile(str(self.path), "w", samplerate=self.rate, channels=self.channels,
                                          subtype="PCM_16", format="WAV")
        except Exception as exc:
            raise DeviceLost(f"{self.name}: cannot open: {exc}") from exc
        self._opened = True

    def _write(self, block: np.ndarray) -> None:
        if not self.path.exists():
            gone = "its folder" if not self.path.parent.is_dir() else "the file"
            raise DeviceLost(f"{self.name}: {gone} was deleted")
        try:
            self._file.write(block)
            self._file.flush()
        except Exception as exc:  # disk full, I/O error
            raise DeviceLost(f"{self.name}: {exc}") from exc
        if self._pacer is not None:
            self._pacer.wait(block.shape[0])

    def _close(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()
            except Exception as exc:  # its folder is gone: nothing left to save
                log.warning("%s: close failed: %s", self.name, exc)


class PortAudioSink(Sink):
    """A PortAudio output device through sounddevice, fed by blocking writes of one block each."""

    def __init__(self, device: int | str | None = None, rate: int = SAMPLE_RATE, channels: int = 1,
                 *, write_timeout: float = 2.0) -> None:
        super().__init__(rate, channels)
        self.device = device
        self.block_frames = rate // 50
        self.write_timeout = write_timeout
        self.name = f"device:{device if device is not None else 'default'}"
        self._stream = None
        self._busy_since: float | None = None
        self._aborted = False
        self._watchdog: threading.Thread | None = None

    def _open(self) -> None:
        sd = _sounddevice()
        try:
            self._stream = sd.OutputStream(device=self.device, samplerate=self.rate, channels=self.channels,
                                           dtype="int16", blocksize=self.block_frames, latency=DEVICE_BUFFER_S)
            self._stream.start()
        except Exception as exc:  # PortAudioError, ValueError (no such device)
            self._stream = None
            raise DeviceLost(f"cannot open audio device {self.device!r}: {exc}") from exc
        self._aborted = False
        self._watchdog = threading.Thread(target=self._watch, name=f"watchdog-{self.name}", daemon=True)
        self._watchdog.start()

    def _watch(self) -> None:
        while self.is_open and self._stream is not None:
            since = self._busy_since
            if since is not None and time.monotonic() - since > self.write_timeout:
                log.error("%s: write blocked for %.1f s; aborting stream", self.name, self.write_timeout)
                self._aborted = True
                try:
                    self._stream.abort()
                except Exception:  # pragma: no cover - best effort
                    pass
                return
            time.sleep(min(0.25, self.write_timeout / 4))

    def _write(self, block: np.ndarray) -> None:
        if self._aborted or self._stream is None:
            raise DeviceLost(f"{self.name}: device stopped responding")
        self._busy_since = time.monotonic()
        try:
            self._stream.write(block)
        except Exception as exc:
            raise DeviceLost(f"{self.name}: {exc}") from exc
        finally:
            self._busy_since = None
        if self._aborted:
            raise DeviceLost(f"{self.name}: write blocked longer than {self.write_timeout} s")

    def room(self) -> int:
        """What the device's buffer takes now (a stream that fails to say: one block, and the write
        tells what is wrong)."""
        try:
            return int(self._stream.write_available) if self._stream is not None else self.block_frames
        except Exception:
            return self.block_frames

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                if not self._aborted:
                    stream.stop()
                stream.close()
            except Exception as exc:  # a lost device may fail to close; nothing left to do
                log.warning("%s: close failed: %s", self.name, exc)


def _sounddevice():
    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio2 missing
        raise DeviceLost(f"PortAudio is not available ({exc}); install libportaudio2") from exc
    return sd


def list_devices() -> list[dict]:
    """Output-capable devices: index, name, channels, default rate, whether default."""
    sd = _sounddevice()
    try:
        default_out = sd.default.device[1]
        devices = sd.query_devices()
    except Exception as exc:
        raise DeviceLost(f"cannot list audio devices: {exc}") from exc
    out = []
    for i, d in enumerate(devices):
        if d["max_output_channels"] > 0:
            out.append({"index": i, "name": d["name"], "channels": d["max_output_channels"],
                        "rate": d["default_samplerate"], "default": i == default_out})
    return out


def parse_device(value: str) -> int | str:
    return int(value) if value.strip().isdigit() else value


def open_sink(spec: str | None = None, *, rate: int = SAMPLE_RATE, channels: int = 1) -> Sink:
    """Build and open a sink from a spec: ``device``, ``device:NAME_OR_INDEX``, ``wav:PATH``, ``null``."""
    spec = (spec or "device").strip()
    kind, _, arg = spec.partition(":")
    if kind == "null":
        return NullSink(rate, channels, realtime=arg == "realtime").open()
    if kind == "wav":
        if not arg:
            raise AudioError("wav sink needs a path: wav:PATH")
        return WavFileSink(arg, rate, channels).open()
    if kind == "device":
        return PortAudioSink(parse_device(arg) if arg else None, rate, channels).open()
    raise AudioError(f"unknown sink {spec!r}; use device, device:NAME, wav:PATH or null")
