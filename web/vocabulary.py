"""The venue's own words for the desk's pick-lists (colours, garments, accessories, height bands, hair), each in
every venue language; a supervisor or the admin adds and retires them (broadcaster.paging.lexicon keeps the
rules), and offers a retired place or meeting point again."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from broadcaster.errors import FieldErrors
from broadcaster.inputs_studio import word_refusals
from broadcaster.paging.lexicon import RU_FORMS, VocabularyService, check_word
from broadcaster.paging.vocabulary import RU_GENDERS, ZH_VERBS, Words
from web.auth import SUPERVISOR, actor, require
from web.i18n import N_all, t
from web.views import svc

bp = Blueprint("vocabulary", __name__, url_prefix="/vocabulary")
KIND_NAMES = N_all({"colour": "Colour", "top": "Top (shirt, jacket, dress)", "bottom": "Bottom (trousers, skirt)",
                    "shoes": "Shoes", "accessory": "Carried or worn (bag, cap, toy)", "height": "Height band",
                    "hair": "Hair"})
VERB_NAMES = N_all({"戴着": "worn on the head or face (戴着)", "背着": "carried on the back (背着)",
                    "拿着": "held in the hand (拿着)", "带着": "with them (带着)"})
GENDER_NAMES = N_all({"m": "masculine (в … свитере)", "f": "feminine (в … куртке)", "n": "neuter (в … пальто)",
                      "pl": "plural (в … джинсах)"})


def service() -> VocabularyService:
    return VocabularyService(svc().db, svc().clock)


def venue_words() -> Words:
    """The venue's words, read once per request (the desk's form asks several times)."""
    if "pa_words" not in g:
        g.pa_words = service().words()
    return g.pa_words


def page(values: dict | None = None, errors: dict | None = None, adding: str = "", status: int = 200):
    from broadcaster.venue import LANGUAGE_NAMES

    langs = list(svc().settings.languages or [])
    retired = [p["names"] for p in svc().settings.places or [] if p.get("retired")]
    return render_template("desk/vocabulary.html", words=service().list(), langs=langs, names=LANGUAGE_NAMES,
                           retired_places=retired, kinds=KIND_NAMES,
                           genders=[(g_, t(GENDER_NAMES[g_])) for g_ in RU_GENDERS],
                           verbs=[(v, t(VERB_NAMES[v])) for v in ZH_VERBS], says_zh=any(x.startswith("zh") for x in langs),
                           ru_forms=RU_FORMS, values=values or {}, errors=errors or {}, adding=adding), status


@bp.get("/")
@require(*SUPERVISOR)
def index():
    return page()


@bp.post("/")
@require(*SUPERVISOR)
def add():
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    adding = values.get("form") if values.get("form") in ("colour", "accessory", "height", "hair") else "garment"
    kind = values.get("kind") or "" if adding == "garment" else adding
    fields = values if adding == "colour" else {k.replace(f"{adding}_", "name_", 1): v for k, v in values.items()}
    try:  # the words through their input model first (NUL, control characters, nothing speakable), every
        #   error at once with the lexicon's own about the rest
        refused, langs = word_refusals(fields), list(svc().settings.languages or [])
        if refused:
            try:
                check_word(kind, langs, {k: v for k, v in fields.items() if k not in refused})
            except FieldErrors as more:
                refused = {**more.fields, **refused}
            raise FieldErrors(refused)
        word = service().add(actor(), kind, langs, fields)
    except FieldErrors as exc:
        errors = exc.fields if adding == "colour" else {k.replace("name_", f"{adding}_", 1): v
                                                       for k, v in exc.fields.items()}
        return page(values, errors, adding, 400)
    flash(t("Added: the desk's lists offer it now."), "ok")
    return redirect(url_for("vocabulary.index") + f"#word-{word.key}")


def word_values(word) -> dict:
    """A stored word as the form to add one names its fields (pre-filled for a change)."""
    forms = word.forms or {}
    values = {f"name_{lang}": name for lang, name in word.names.items()}
    values |= dict(zip(RU_FORMS, forms.get("ru") or ()))
    values |= {k: forms[k] for k in ("ru_gender", "zh_verb") if forms.get(k)}
    return values | ({"en_article": "1"} if forms.get("en_article") else {})


@bp.route("/<key>/edit", methods=["GET", "POST"])
@require(*SUPERVISOR)
def edit(key: str):
    """A word's name in each venue language (one the venue took on later too), on the same form as adding
    a word, pre-filled; wrong-script or missing names are refused beside their fields, nothing stored."""
    from broadcaster.venue import LANGUAGE_NAMES

    word = next((w for w in service().list() if w.key == key), None)
    if word is None:
        service().edit(actor(), key, [], {})  # NotFound, as the domain says it
    langs, errors, values = list(svc().settings.languages or []), {}, word_values(word)
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            refused = word_refusals(values)
            if refused:
                try:
                    check_word(word.kind, langs, {k: v for k, v in values.items() if k not in refused})
                except FieldErrors as more:
                    refused = {**more.fields, **refused}
                raise FieldErrors(refused)
            service().edit(actor(), key, langs, values)
        except FieldErrors as exc:
            errors = exc.fields
        else:
            flash(t("Saved: the desk's lists say it in every language now."), "ok")
            return redirect(url_for("vocabulary.index") + f"#word-{key}")
    kind = word.kind.value
    return render_template("desk/vocabulary_edit.html", word=word, kind=kind, langs=langs, names=LANGUAGE_NAMES,
                           kind_name=KIND_NAMES[kind], genders=[(g_, t(GENDER_NAMES[g_])) for g_ in RU_GENDERS],
                           verbs=[(v, t(VERB_NAMES[v])) for v in ZH_VERBS], values=values, errors=errors,
                           phrase=kind in ("height", "hair"), says_zh=any(x.startswith("zh") for x in langs)), 400 if errors else 200


@bp.post("/places/offer")
@require(*SUPERVISOR)
def offer_place():
    """A place or meeting point the venue retired, offered by the desk's lists again."""
    from broadcaster.venue import offer_place_again

    st = svc().settings
    try:
        fresh = offer_place_again(st, request.form.get("place") or "")
    except FieldErrors as exc:
        why = exc.fields["place"]  # its words are in web/i18n_words.py
        flash(t("Nothing was changed.") + " " + t(why), "error")
    else:
        st.__dict__.update(fresh.__dict__)
        flash(t("Offered again: the desk's lists offer it now."), "ok")
    return redirect(url_for("vocabulary.index") + "#retired-places")


@bp.post("/<key>/retire")
@require(*SUPERVISOR)
def retire(key: str):
    service().retire(actor(), key, retired=request.form.get("offer") != "1")
    return redirect(url_for("vocabulary.index"))


@bp.post("/<key>/remove")
@require(*SUPERVISOR)
def remove(key: str):
    service().remove(actor(), key)
    flash(t("Removed."), "ok")
    return redirect(url_for("vocabulary.index"))
