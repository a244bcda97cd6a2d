"""The first day, in the panel: the admin chooses their own password (the printed one is thrown away),
names the venue (time zone, languages), its places and meeting points in every venue language, adds
the staff, and has the page templates approved by a supervisor (four-eyes). Until it is done every page
an admin opens leads back here. The rules are broadcaster.venue's and broadcaster.users'."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from broadcaster.errors import FieldErrors
from broadcaster.paging.lexicon import kept_places
from broadcaster.store.models.core import Role
from broadcaster.inputs_studio import place_refusals
from broadcaster.venue import LANGUAGE_NAMES, STEPS, check_places, save_places, save_profile, step_done
from web import account
from web.auth import actor, require
from web.i18n import t
from web.views import svc, zone_name

bp = Blueprint("setup", __name__, url_prefix="/setup")

TIMEZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul",
             "Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Vladivostok", "Europe/London",
             "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")
OPEN = {"setup", "auth", "static", "i18n", "account"}  # reachable while the setup is not done
EMPTY_ROWS = 3


def settings():
    return svc().settings


def adopt(fresh) -> None:
    """The venue settings ``fresh`` for this panel process: its settings object (shared with the service
    on one box) and the time zone its areas read."""
    st, s = settings(), svc()
    st.__dict__.update(fresh.__dict__)
    s.tz = fresh.tz
    # the zones pages and announcements go to: one added is offered, one removed refused
    s.venue_zones = s.station.venue_zones = tuple(dict.fromkeys([*fresh.zones, *s.own_zones]))
    s.paging.adopt(st, s.venue_zones)  # the next page's interval, repeats and zones, the escalation time
    for area in (s.cases, s.lost):
        if hasattr(area, "tz"):
            area.tz = fresh.tz
    current_app.extensions.pop("pa_cases", None)  # complaints, incidents, security: built again in it


def pending() -> list[str]:
    return list(getattr(settings(), "setup_pending", None) or [])


def _next():
    left = pending()
    return redirect(url_for(f"setup.{left[0]}") if left else url_for("dashboard.index"))


def _done(step: str):
    step_done(settings(), step)
    return _next()


@bp.get("/")
@require(Role.ADMIN)
def index():
    return _next()


@bp.route("/password", methods=["GET", "POST"])
@require(Role.ADMIN)
def password():
    errors: dict = {}
    if request.method == "POST":
        errors = account.change_password(request.form)
        if not errors:
            flash(t("Your password is changed."), "ok")
            return _done("password")
    return render_template("setup/password.html", errors=errors, in_setup=True,
                           steps=STEPS, left=pending()), 400 if errors else 200


@bp.route("/venue", methods=["GET", "POST"])
@require(Role.ADMIN)
def venue():
    st, errors = settings(), {}
    values = {"venue_name": st.venue_name, "timezone": st.timezone, "session_idle_min": f"{st.session_idle_min:g}",
              **{f"lang_{i}": lang for i, lang in enumerate(st.languages, start=1)}}
    if request.method == "POST":
        values = request.form.to_dict()
        langs = [values.get(f"lang_{i}", "") for i in (1, 2, 3)]
        try:
            fresh = save_profile(values.get("venue_name", ""), values.get("timezone", ""), langs,
                                 values.get("session_idle_min"))
        except FieldErrors as exc:
            errors = exc.fields
        else:
            adopt(fresh)  # this process at once; other panel processes at their next request
            return _done("venue")
    return render_template("setup/venue.html", errors=errors, values=values, timezones=[(z, zone_name(z)) for z in TIMEZONES],
                           languages=LANGUAGE_NAMES, steps=STEPS, left=pending()), 400 if errors else 200


def place_rows(form) -> list[dict]:
    rows = []
    for i in range(int(form.get("rows", 0) or 0)):
        rows.append({"names": {lang: form.get(f"place-{i}-{lang}", "") for lang in settings().languages},
                     "meeting_point": form.get(f"place-{i}-meeting") == "1",
                     "retired": form.get(f"place-{i}-retired") == "1"})
    return rows


@bp.route("/places", methods=["GET", "POST"])
@require(Role.ADMIN)
def places():
    st, errors = settings(), {}
    rows = list(st.places or [])
    if request.method == "POST":
        rows = place_rows(request.form)
        if request.form.get("more"):
            rows += [{"names": {}, "meeting_point": False}] * EMPTY_ROWS
        else:
            try:  # the names through their input model first (NUL, controls, nothing to say), all at once
                refused = place_refusals(request.form)
                if refused:
                    try:
                        check_places(place_rows({k: v for k, v in request.form.items() if k not in refused}),
                                     st.languages)
                    except FieldErrors as more:
                        refused = {**more.fields, **refused}
                    raise FieldErrors(refused)
                kept_places(svc().db, st.places, rows)  # a place a stored case names is retired, never removed
                fresh = save_places(rows, st)
            except FieldErrors as exc:
                errors = exc.fields
            else:
                adopt(fresh)
                return _done("places") if "places" in pending() else redirect(url_for("setup.places"))
    if not errors:
        rows = rows + [{"names": {}, "meeting_point": False}] * EMPTY_ROWS
    return render_template("setup/places.html", errors=errors, rows=rows, languages=st.languages,
                           names=LANGUAGE_NAMES, steps=STEPS, left=pending()), 400 if errors else 200


@bp.route("/zones", methods=["GET", "POST"])
@require(Role.ADMIN)
def zones():
    """The sound zones named as staff say them, in every venue language (the places page links here; not a
    first-day step: "main" is 全场 until named otherwise). The rules are broadcaster.venue's."""
    from broadcaster.venue import save_zone_names, zone_names
    from web.airwords import sink_words

    st, errors, venue = settings(), {}, list(svc().venue_zones)
    values = {f"zone-{z}-{lang}": zone_names(st, z).get(lang, "") for z in venue for lang in st.languages}
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in values}
        try:
            fresh = save_zone_names({z: {lang: values[f"zone-{z}-{lang}"] for lang in st.languages} for z in venue},
                                    st, venue)
        except FieldErrors as exc:
            errors = exc.fields
        else:
            adopt(fresh)
            flash(t("Saved."), "ok")
            return redirect(url_for("setup.zones"))
    devices = {z: sink_words((st.zones or {}).get(z, "")) for z in venue}
    return render_template("setup/zones.html", zones=venue, values=values, errors=errors, devices=devices,
                           languages=st.languages), 400 if errors else 200


@bp.route("/users", methods=["GET", "POST"])
@require(Role.ADMIN)
def users():
    from broadcaster.users import check_staff_ready, list_users

    errors, values = {}, {}
    if request.method == "POST" and request.form.get("done"):
        try:  # a supervisor besides this admin, and a desk user: else the templates step could never end
            with svc().db.session() as s:
                check_staff_ready(s, actor())
        except FieldErrors as exc:
            errors = exc.fields
        else:
            return _done("users")
    elif request.method == "POST":
        values = request.form.to_dict()
        errors = account.add_user(values)
        if not errors:
            flash(t("User {name} added.", name=values.get("name", "")), "ok")
            return redirect(url_for("setup.users"))
    with svc().db.session() as s:
        staff = [u for u in list_users(s) if u.name != "system"]
    return render_template("setup/users.html", users=staff, errors=errors, values=values, roles=account.role_options(),
                           in_setup=True, steps=STEPS, left=pending()), 400 if errors else 200


@bp.route("/templates", methods=["GET", "POST"])
@require(Role.ADMIN)
def templates():
    s = svc()
    tpls = [x for x in s.templates.list() if x.status.value != "retired"]
    if request.method == "POST":
        if all(x.status.value == "approved" for x in tpls):
            return _done("templates")
        flash(t("A supervisor must approve every template first."), "error")
    return _templates_page(tpls)


def _templates_page(tpls, edited: int | None = None, values: dict | None = None, errors: dict | None = None):
    """The templates, with the wording typed into ``edited`` and its errors beside its fields (400)."""
    from broadcaster.paging.defaults import lacks_looks

    missing = {x.id: [lang for lang in settings().languages if lang not in x.wording] for x in tpls}
    looks = {x.id for x in tpls if lacks_looks(x)}
    return render_template("setup/templates.html", templates=tpls, missing=missing, looks=looks, names=LANGUAGE_NAMES,
                           languages=settings().languages, steps=STEPS, left=pending(), edited=edited,
                           values=values or {}, errors=errors or {}), 400 if errors else 200


@bp.post("/templates/<int:template_id>")
@require(Role.ADMIN)
def template_edit(template_id: int):
    """The admin words a template in the venue's languages (through the template wording model: it
    airs, so each text must say something); it then waits for a supervisor again."""
    import re

    from broadcaster.errors import ValidationError
    from broadcaster.inputs import parse
    from broadcaster.inputs_studio import TemplateWording

    s, languages = svc(), settings().languages
    typed = {f"text_{lang}": request.form.get(f"text_{lang}", "") for lang in languages}
    texts = dict(s.templates.get(template_id).wording) | {lang: typed[f"text_{lang}"] for lang in languages}
    try:
        wording = parse(TemplateWording, {"texts": {k: v for k, v in texts.items() if (v or "").strip()}})
        tpl = s.templates.edit(template_id, actor(), texts=wording.texts)
    except ValidationError as exc:  # "texts[en]: ..." beside the English text; "texts: ..." beside the first
        field, sep, what = str(exc).partition(": ")
        fields = getattr(exc, "fields", None) or ({field: what} if sep else {"_": str(exc)})
        errors = {(f"text_{m[1]}" if (m := re.fullmatch(r"texts\[(.+)\]", k)) else
                   f"text_{languages[0]}" if k == "texts" else "_"): v for k, v in fields.items()}
        return _templates_page([x for x in s.templates.list() if x.status.value != "retired"], template_id,
                               typed, errors)
    _saved(tpl)
    return redirect(url_for("setup.templates") + f"#tpl-{template_id}")


@bp.post("/templates/<int:template_id>/looks")
@require(Role.ADMIN)
def template_looks(template_id: int):
    """A wording written before the height and hair lists gets them, right after the age, in every
    language; it waits for a supervisor like any new wording."""
    tpl = svc().templates.add_looks(template_id, actor())
    if tpl is not None:
        _saved(tpl)
    return redirect(url_for("setup.templates") + f"#template-{template_id}")


def _saved(tpl) -> None:
    if tpl.draft_texts is not None:
        flash(t("Saved: the wording on air stays until a supervisor approves the new one."), "ok")
    else:
        flash(t("Saved: a supervisor approves the new wording."), "ok")


def init_app(app) -> None:
    from sqlalchemy.exc import DBAPIError

    from broadcaster.settings import load_settings, settings_version
    from broadcaster.store.reach import unreachable

    db = app.extensions["pa"].db
    app.extensions["pa_settings_version"] = settings_version(db)  # as the app's services read them

    @app.before_request
    def _settings_saved_elsewhere():
        """Venue settings saved by another process (another panel worker, a panel or desk CLI on another
        machine): adopted at this process's next request, not at its restart. One read of the stored
        settings' version a request (none for a static file, which reads no settings)."""
        from flask import request as rq

        if rq.endpoint in (None, "static"):
            return None
        try:
            version = settings_version(db)
        except DBAPIError as exc:
            if unreachable(exc):  # the database away: the settings in use stay, the page says it if it needs it
                return None  # (the language switch still works)
            raise
        if app.extensions["pa_settings_version"] != version:
            adopt(load_settings(db))
            app.extensions["pa_settings_version"] = version
        return None

    @app.before_request
    def _first_day():
        """An admin is led through the setup until it is done."""
        from flask import request as rq

        if rq.endpoint in (None, "static"):
            return None
        try:
            if not account.is_admin():
                return None
        except DBAPIError as exc:  # the database away: who is signed in is not known; the view says it
            if unreachable(exc):
                return None
            raise
        if "password" in pending() and (rq.blueprint or "") not in ("auth", "i18n") \
                and rq.endpoint not in ("setup.index", "setup.password"):
            # the password printed at install opens nothing but the form that replaces it (the API: web.auth)
            return None if rq.path.startswith(("/api/", "/events")) else redirect(url_for("setup.password"))
        if (rq.blueprint or "") in OPEN:
            return None
        if pending() and not rq.path.startswith(("/api/", "/events")):  # a live stream is never redirected
            return redirect(url_for("setup.index"))
        return None
