"""The Flask panel. ``create_app(config)`` builds it around the broadcaster's database.

config keys: DATABASE (broadcaster.store.db.Database, required unless SERVICE gives it), SERVICE (the
running BroadcastService, lending its services), RENDERER (audio.render.Renderer), CLOCK, SECRET_KEY,
TESTING, SESSION_COOKIE_SECURE (the cookie is Secure over TLS anyway), MAX_CONTENT_LENGTH, LOGIN_FAIL_*
(the log-in throttle, kept in the database), and optionally ready-made services (see web/services.py). The panel reaches the air only by
the services writing airings, and shows what is on air from the database. No business rules live
here: views call broadcaster services and map broadcaster.errors to HTTP status codes.

``broadcaster serve`` serves it in its own process (waitress, a pool of threads); on PostgreSQL more
panel processes may run under gunicorn (``web.wsgi``).
"""
from __future__ import annotations

import logging
import secrets
import threading
from typing import Any

from flask import Flask, jsonify, make_response, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DBAPIError
from werkzeug.routing import IntegerConverter

from broadcaster.errors import BroadcasterError, InvalidTransition, NotFound, PermissionDenied, ValidationError

csrf = CSRFProtect()

STATUS = {ValidationError: 400, PermissionDenied: 403, NotFound: 404, InvalidTransition: 409}

DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # True: Secure even when a proxy hides the TLS (served over TLS: Secure)
    "SESSION_COOKIE_NAME": "pa_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # uploads (recordings)
    "API_MAX_BODY": 256 * 1024,  # a JSON API body (the longest script, escaped, fits): larger is a 413 problem
    "MUSIC_UPLOAD_MAX": 200 * 1024 * 1024,   # a playlist's music files, all together
    "MAX_RECORDING_SECONDS": 600,
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
    "API_TOKEN_MAX_AGE": 12 * 3600,
    "LOGIN_FAIL_LIMIT": 5,            # failed log-ins of one account in the window lock that account
    "LOGIN_FAIL_ADDRESS_LIMIT": 50,   # failed log-ins from one address (of any accounts) lock that address
    "LOGIN_FAIL_WINDOW": 300.0,
    "SSE_INTERVAL": 1.0,      # live now-playing: the database is read again this often
    "SSE_MAX_EVENTS": 60,     # then the stream ends and the browser reconnects
    "SSE_MAX_STREAMS": 2,     # live streams held open at once; the server's other threads (4 in `serve`) stay free
    "SSE_BUSY_RETRY_S": 5.0,  # past that, one event and the browser comes back after this long
}


def status_of(exc: BroadcasterError) -> int:
    for cls, code in STATUS.items():
        if isinstance(exc, cls):
            return code
    return 400


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def problem(status: int, detail: str, *, kind: str = "", headers=None, **extra):
    """An error of the JSON API as RFC 9457 problem details: ``type``, ``title``, ``status``, ``detail``
    and, for bad input, every field at fault (``fields``); ``error`` repeats the detail for older clients."""
    from werkzeug.http import HTTP_STATUS_CODES

    body = {"type": f"/problems/{kind}" if kind else "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"),
            "status": status, "detail": detail, "error": detail, **extra}
    resp = jsonify(body)
    resp.status_code, resp.mimetype = status, "application/problem+json"
    resp.headers.extend(headers or {})
    return resp


def create_app(config: dict[str, Any] | None = None) -> Flask:
    from web import account, api, approvals, audit, auth, dashboard, desk, i18n, schedule, scripts
    from web import library, programmes, schedule_ics  # noqa: F401  (routes on the schedule blueprint)
    from web import chimes  # the venue's chimes (issue 13)
    from web import setup as first_day
    from web.services import Services
    from web.views import init_filters

    config = dict(config or {})
    app = Flask(__name__)
    app.url_map.converters["int"] = _Id  # before any route is added
    app.config.update(DEFAULTS)
    app.config["SECRET_KEY"] = secrets.token_hex(32)
    app.config.update({k: v for k, v in config.items() if k.isupper()})
    if app.config.get("SESSION_COOKIE_SECURE"):
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.extensions["pa"] = Services(config)

    @app.before_request
    def _upload_limit():  # before CSRF reads the form: a playlist's music has its own, larger limit
        if request.endpoint == "schedule.playlists":
            request.max_content_length = app.config["MUSIC_UPLOAD_MAX"]
        elif request.blueprint == "api":
            request.max_content_length = app.config["API_MAX_BODY"]

    csrf.init_app(app)
    init_filters(app)
    app.jinja_env.globals["has_station"] = lambda: app.extensions["pa"].station is not None
    from web.logwords import logword, lost_state

    app.jinja_env.filters["logword"] = logword  # the logs' internal words in the staff's words
    app.jinja_env.filters["lost_state"] = lost_state  # "handed_over": Handed over / 已交还
    from web.airwords import air_detail, aired_kind, aired_title
    from web.i18n import language_name

    app.jinja_env.filters.update(aired_kind=aired_kind, aired_title=aired_title, langname=language_name,
                                 air_detail=air_detail)  # "Page … (missing)": 寻人广播
    app.extensions["pa_streams"] = threading.BoundedSemaphore(int(app.config["SSE_MAX_STREAMS"]))
    i18n.init_app(app)
    auth.init_app(app)
    for mod in (dashboard, scripts, approvals, desk, schedule, account, first_day, audit):
        app.register_blueprint(mod.bp)
    app.register_blueprint(chimes.bp)
    from web import vocabulary  # the venue's own pick-list words (issue 11)

    app.register_blueprint(vocabulary.bp)
    first_day.init_app(app)
    from web import caseforms, complaints, handover, incidents, reports, security_handover, visits  # cases (issue 15)

    for mod in (visits, complaints, incidents, handover, reports, security_handover):
        app.register_blueprint(mod.bp)
    caseforms.init_app(app)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the JSON API authenticates every call (bearer token / HTTP Basic), no cookies

    @app.errorhandler(BroadcasterError)
    def _domain_error(exc: BroadcasterError):
        code = status_of(exc)
        if wants_json():
            fields = {"fields": exc.fields} if getattr(exc, "fields", None) else {}  # every bad field at once
            kind = "".join("-" + c.lower() if c.isupper() else c for c in type(exc).__name__).lstrip("-")
            return problem(code, str(exc), kind=kind, **fields)
        from web.errors import error_page
        from web.refusals import refusal_of  # the panel says it in the UI language; the API stays English

        return error_page(code, refusal_of(exc), explained=True)  # title in the UI language too (web.errors)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        if wants_json():
            return problem(400, exc.description, kind="csrf")
        from web.errors import CSRF_EXPLAINED, error_page
        from web.i18n import t

        return error_page(400, t(CSRF_EXPLAINED), explained=True)

    for code in (400, 401, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(DBAPIError, _database_error)

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; media-src 'self' blob: data:; img-src 'self' data:; object-src 'none'; "
            "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        return resp

    return app


class _Id(IntegerConverter):
    """An id in a URL, within the database's integer range: a larger one is simply not found (404)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2 ** 63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _database_error(exc: DBAPIError):
    """The database out of reach (broadcaster.store.reach): the staff's words, 503, and no traceback;
    any other database error is a bug (500, logged). Nothing to undo when it is back: the pool checks a
    connection before lending it (pool_pre_ping), so the next click works."""
    from broadcaster.store.reach import first_line, unreachable

    if not unreachable(exc):
        raise exc  # a bug: Flask's own handling, as before (the 500 page, logged with its traceback)
    logging.getLogger("web").warning("database unreachable on %s %s (%s)", request.method, request.path,
                                     first_line(exc))
    from web.errors import DB_AWAY, outage_page

    if request.endpoint == "dashboard.events":  # the live stream: said on the page, the browser comes back
        from web.dashboard import outage_event

        return outage_event()
    if wants_json():
        return problem(503, DB_AWAY, kind="database-unreachable", headers={"Retry-After": "5"})
    return outage_page()


def _http_error(exc):
    code = getattr(exc, "code", 500) or 500
    message = getattr(exc, "description", "") or ""
    if code == 500:  # a bug: logged with its traceback; the client gets no internals
        logging.getLogger("web").error("internal error on %s %s", request.method, request.path,
                                       exc_info=getattr(exc, "original_exception", None) or exc)
        message = "Something went wrong on the server; it has been logged for the engineers."
    if wants_json():
        headers = {k: v for k, v in exc.get_headers() if k == "Allow"} if hasattr(exc, "get_headers") else {}
        if code == 401:
            headers["WWW-Authenticate"] = 'Basic realm="PA Broadcaster API"'
        return problem(code, message, headers=headers)
    from web.errors import error_page

    resp = make_response(*error_page(code, message))  # the staff's words in the UI language (web.errors)
    if code == 405 and hasattr(exc, "get_headers"):
        resp.headers.extend({k: v for k, v in exc.get_headers() if k == "Allow"})
    return resp
