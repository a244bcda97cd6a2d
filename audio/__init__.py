"""Sound only: PCM buffers, TTS engines, render cache, mixing, loudness, chimes, output sinks, air logger.

This package imports nothing else of PA Broadcaster.
"""
