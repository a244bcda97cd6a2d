"""Music playlists: media library, M3U/M3U8 files, ordered/shuffled rotation, crossfades.

Imports only ``audio`` (never ``broadcaster``)."""
from playlists.library import LibraryError, Track, play_gain, probe
from playlists.m3u import M3UEntry, MissingTracks, PlaylistFileError, read_m3u, write_m3u
from playlists.playlist import Playlist, Rotation, Shuffler

__all__ = [
    "LibraryError", "Track", "play_gain", "probe",
    "M3UEntry", "MissingTracks", "PlaylistFileError", "read_m3u", "write_m3u",
    "Playlist", "Rotation", "Shuffler",
]
