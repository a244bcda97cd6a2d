"""The panel's error page in the staff's words and the UI language: a title and an explanation for
every HTTP error the panel can show, instead of Werkzeug's English descriptions (the JSON API keeps
English problem details, web.problem)."""
from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import default_exceptions

from web.i18n import t
from web.i18n import N_

#: status -> (title, what it means for the person at the panel)
HTTP_WORDS = {
    400: (N_("Could not be read"), N_("The panel could not read what was sent. Go back, reload the page and try "
                                      "again.")),
    401: (N_("Not logged in"), N_("Log in first, then open the page again.")),
    403: (N_("Forbidden"), N_("Your account may not open this page or do this. Ask a supervisor or the admin if "
                              "you need it.")),
    404: (N_("Not found"), N_("There is no such page, or what it showed has been removed. Check the address, or "
                              "go back and choose it from the list.")),
    405: (N_("Not possible here"), N_("This page cannot be used that way. Go back and use the page's own "
                                      "buttons.")),
    409: (N_("Not done"), N_("This cannot be done now: it has just been changed, or it is already done. Reload "
                             "the page and look again.")),
    413: (N_("Too large"), N_("What was sent is too large for the panel. Choose a smaller file, or send less at "
                              "once.")),
    422: (N_("Could not be done"), N_("The panel could not do this with what was given.")),
    429: (N_("Too many tries"), N_("Too many attempts in a short time. Wait a minute, then try again.")),
    500: (N_("Something went wrong"), N_("Something went wrong on the server; it has been logged for the "
                                         "engineers.")),
}
CSRF_EXPLAINED = N_("The form was open too long, or you logged in again meanwhile: reload the page and send it "
                    "again.")


def explain(code: int, description: str | None = None) -> str:
    """The staff's explanation of ``code``: Werkzeug's own English description (or none) is replaced by
    ours; a message the panel wrote itself is kept (translated when the catalogue has it)."""
    builtin = getattr(default_exceptions.get(code), "description", None)
    if not description or description == builtin or code >= 500:  # a bug: no internals on screen
        return t(HTTP_WORDS.get(code, HTTP_WORDS[500])[1])
    return t(description)


def error_page(code: int, message: str | None = None, *, explained: bool = False):
    """The error page (body, status) in the UI language; ``explained``: ``message`` is a refusal already
    in it (titled "Not done" unless it is about access or a missing thing)."""
    title = t(N_("Not done") if explained and code not in (401, 403, 404)
              else HTTP_WORDS.get(code, (N_("Error"), ""))[0])
    text = message if explained else explain(code, message)
    return render_template("error.html", code=code, title=title, message=text), code

#: the database out of reach (web.__init__._database_error): what it means for the desk and what to do
DB_AWAY_TITLE = N_("The system cannot reach its database")
DB_AWAY = N_("Pages cannot be started from the panel at the moment, and nothing can be saved or looked up.")
DB_AWAY_DO = N_("Page by microphone meanwhile. The panel works again by itself once the database is back: try "
                "again in a minute.")


def outage_page():
    """The outage page (body, 503) in the UI language, shown as nobody signed in: who is signed in is
    itself kept in the database."""
    from flask import current_app, g

    g._login_user = current_app.login_manager.anonymous_user()  # (flask-login's per-request user)
    return render_template("outage.html", title=t(DB_AWAY_TITLE), message=t(DB_AWAY), todo=t(DB_AWAY_DO)), 503, \
        {"Retry-After": "5"}
