"""Schedule: the music library. Each playlist's tracks (title, length, a level overview), played in the
browser, reordered, removed; a playlist renamed, or deleted when no programme plays it. The rules are
the schedule service's (broadcaster.schedule.library)."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, send_file, url_for

from broadcaster.errors import NotFound, ValidationError
from broadcaster.schedule import library
from web.auth import SCHEDULE, actor, require
from web.i18n import t
from web.schedule import bp
from web.views import field_errors, svc


def loudness(track, target: float) -> str:
    """A track's loudness as measured at import, and what its gain does to it ("-18.2 LUFS, lowered
    1.8 dB"), ``target`` being the venue's loudness. Tracks stored before the loudness was kept show
    their gain until they are measured (``broadcaster music measure``)."""
    gain = track.gain_db
    if gain is None:
        return t("loudness not measured: plays as recorded")
    db = f"{abs(gain):.1f}"
    if track.lufs is None and gain < 0:
        return t("loudness not measured yet, lowered {db} dB", db=db)
    if track.lufs is None:
        return t("loudness not measured yet, raised {db} dB", db=db)
    lufs = f"{track.lufs:.1f}"
    if abs(gain) < 0.05 and abs(track.lufs - target) < 0.5:
        return t("{lufs} LUFS, at the venue's level", lufs=lufs)
    if abs(gain) < 0.05:
        return t("{lufs} LUFS, played as recorded (its peaks leave no room to raise it)", lufs=lufs)
    if gain < 0:
        return t("{lufs} LUFS, lowered {db} dB", lufs=lufs, db=db)
    return t("{lufs} LUFS, raised {db} dB", lufs=lufs, db=db)


def _page(playlist_id: int, errors=None, status=200):
    from broadcaster.settings import load_settings

    pl = library.playlist(svc().programmes, playlist_id)
    return render_template("schedule/playlist.html", pl=pl, errors=errors or {}, loudness=loudness,
                           target=load_settings().loudness_lufs), status


@bp.get("/playlists/<int:playlist_id>")
@require(*SCHEDULE)
def playlist(playlist_id: int):
    return _page(playlist_id)


@bp.post("/playlists/<int:playlist_id>/rename")
@require(*SCHEDULE)
def playlist_rename(playlist_id: int):
    from broadcaster.inputs import parse
    from broadcaster.inputs_studio import PlaylistName

    try:
        name = parse(PlaylistName, {"name": request.form.get("name")}).name
        library.rename(svc().programmes, playlist_id, name, who=actor())
    except ValidationError as exc:
        return _page(playlist_id, field_errors(exc), 400)
    flash(t("Saved."), "ok")
    return redirect(url_for("schedule.playlist", playlist_id=playlist_id))


@bp.post("/playlists/<int:playlist_id>/tracks/<int:track_id>/move")
@require(*SCHEDULE)
def track_move(playlist_id: int, track_id: int):
    by = -1 if request.form.get("by") == "up" else 1
    library.move_track(svc().programmes, playlist_id, track_id, by, who=actor())
    return redirect(url_for("schedule.playlist", playlist_id=playlist_id) + f"#track-{track_id}")


@bp.post("/playlists/<int:playlist_id>/tracks/<int:track_id>/remove")
@require(*SCHEDULE)
def track_remove(playlist_id: int, track_id: int):
    try:
        library.remove_track(svc().programmes, playlist_id, track_id, who=actor())
    except ValidationError:
        return _page(playlist_id, {"track": t("This is the playlist's only track: delete the playlist instead.")},
                     400)
    flash(t("Track removed."), "ok")
    return redirect(url_for("schedule.playlist", playlist_id=playlist_id))


@bp.post("/playlists/<int:playlist_id>/delete")
@require(*SCHEDULE)
def playlist_delete(playlist_id: int):
    try:
        library.delete(svc().programmes, playlist_id, who=actor())
    except ValidationError:
        return _page(playlist_id, {"delete": t("Programmes play this playlist: take it out of them first.")}, 400)
    flash(t("Playlist deleted."), "ok")
    return redirect(url_for("schedule.playlists"))


def _track(playlist_id: int, track_id: int):
    pl = library.playlist(svc().programmes, playlist_id)
    track = next((x for x in pl.tracks if x.id == track_id), None)
    if track is None:
        raise NotFound(f"no track #{track_id}")
    return track


@bp.get("/playlists/<int:playlist_id>/tracks/<int:track_id>/audio")
@require(*SCHEDULE)
def track_audio(playlist_id: int, track_id: int):
    """The track's file, to play in the browser."""
    return send_file(_track(playlist_id, track_id).path, conditional=True)


@bp.get("/playlists/<int:playlist_id>/tracks/<int:track_id>/level.svg")
@require(*SCHEDULE)
def track_level(playlist_id: int, track_id: int):
    """How loud the track is along its length, as bars."""
    peaks = library.levels(_track(playlist_id, track_id).path)
    bars = "".join(f'<rect x="{i * 4}" y="{20 - max(1, round(p * 20))}" width="3" height="{max(1, round(p * 20))}"/>'
                   for i, p in enumerate(peaks))
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{max(4, len(peaks) * 4)}" height="20" '
           f'viewBox="0 0 {max(4, len(peaks) * 4)} 20" fill="#1a73e8">{bars}</svg>')
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})
