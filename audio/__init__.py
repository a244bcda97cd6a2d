"""Sound only: PCM buffers, TTS engines, render cache, mixing, loudness, chimes, output sinks, air logger.

This package imports nothing else of PA Broadcaster.
"""
from audio.pcm import Pcm, SAMPLE_RATE

__all__ = ["Pcm", "SAMPLE_RATE"]
