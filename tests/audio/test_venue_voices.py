"""The venue's speech finds its voices and its render cache under the venue's var folder wherever the
service or ``say`` is started from (a voice put in the repository's var/voices, as the README says,
was missed when started from another folder)."""
from __future__ import annotations

from broadcaster.settings import load_settings
from broadcaster.store.db import ROOT
from broadcaster.voices import venue_renderer


def test_voices_and_cache_are_the_venues_not_the_current_folders(tmp_path, monkeypatch):
    monkeypatch.delenv("PA_VAR_DIR", raising=False)
    monkeypatch.delenv("PA_VOICES_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    renderer = venue_renderer(load_settings())
    assert renderer.chain.engines["piper"].voices_dir == ROOT / "var" / "voices"
    assert renderer.cache.dir.resolve().is_relative_to((ROOT / "var").resolve())
    assert not (tmp_path / "var").exists()


def test_a_voices_folder_of_its_own_is_followed(tmp_path, monkeypatch):
    monkeypatch.setenv("PA_VOICES_DIR", str(tmp_path / "voices"))
    assert venue_renderer(load_settings()).chain.engines["piper"].voices_dir == tmp_path / "voices"
