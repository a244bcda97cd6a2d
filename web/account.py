"""Accounts in the panel: every user changes their own password (their other log-ins end); the admin
adds users, sets their passwords and roles and switches accounts on or off. The rules are broadcaster.users'."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from broadcaster.errors import FieldErrors, ValidationError
from broadcaster.store.models.core import Role
from web.auth import ANYONE, actor, require
from web.i18n import t
from web.refusals import refusal_of
from web.views import svc

bp = Blueprint("account", __name__)
ROLES = ("desk", "supervisor", "broadcaster", "admin")


def role_options() -> list[tuple[str, str]]:
    return [(r, t(r)) for r in ROLES]


def change_password(values: dict) -> dict:
    """Change the signed-in user's own password; {} or the errors by field."""
    from broadcaster.users import change_own_password

    try:
        with svc().db.session() as s:
            change_own_password(s, actor(), values.get("current", ""), values.get("new", ""),
                                values.get("repeat", ""), keep_session=session.get("sid"))
    except FieldErrors as exc:
        return exc.fields
    return {}


@bp.route("/account/password", methods=["GET", "POST"])
@require(*ANYONE)
def password():
    errors: dict = {}
    if request.method == "POST":
        errors = change_password(request.form)
        if not errors:
            flash(t("Your password is changed."), "ok")
            return redirect(url_for("dashboard.index"))
    return render_template("setup/password.html", errors=errors, in_setup=False), 400 if errors else 200


def users_page(errors: dict | None = None, values: dict | None = None, status: int = 200):
    from broadcaster.users import list_users

    with svc().db.session() as s:
        users = [u for u in list_users(s) if u.name != "system"]
    return render_template("setup/users.html", users=users, errors=errors or {}, values=values or {},
                           roles=role_options(), in_setup=False), status


def add_user(values: dict) -> dict:
    from broadcaster.inputs import parse
    from broadcaster.inputs_studio import StaffMember
    from broadcaster.users import add_user_checked

    try:
        v = parse(StaffMember, {k: values.get(k) for k in StaffMember.model_fields})  # every field at once
        with svc().db.session() as s:
            add_user_checked(s, actor(), v.name, v.role, v.password, v.display_name or "")
    except FieldErrors as exc:
        return exc.fields
    return {}


@bp.route("/admin/users", methods=["GET", "POST"])
@require(Role.ADMIN)
def users():
    if request.method == "POST":
        values = request.form.to_dict()
        errors = add_user(values)
        if errors:
            return users_page(errors, values, 400)
        flash(t("User {name} added.", name=values.get("name", "")), "ok")
        return redirect(request.form.get("next") or url_for("account.users"))
    return users_page()


@bp.post("/admin/users/<name>/password")
@require(Role.ADMIN)
def user_password(name: str):
    from broadcaster.users import reset_password

    try:
        with svc().db.session() as s:
            reset_password(s, actor(), name, request.form.get("password", ""), keep_session=session.get("sid"))
    except FieldErrors as exc:
        return users_page({f"{name}-password": exc.fields["password"]}, status=400)
    flash(t("Password of {name} set.", name=name), "ok")
    return redirect(url_for("account.users"))


@bp.post("/admin/users/<name>/role")
@require(Role.ADMIN)
def user_role(name: str):
    from broadcaster.users import change_role

    try:
        with svc().db.session() as s:
            uid = change_role(s, actor(), name, request.form.get("role", ""), keep_session=session.get("sid")).id
    except FieldErrors as exc:
        return users_page({f"{name}-role": exc.fields["role"]}, status=400)
    current_app.extensions.get("pa_user_cache", {}).pop(uid, None)  # the new role counts from the next request
    role = request.form["role"].strip().lower()
    flash(t("{name} is now {role}.", name=name, role=t(role)), "ok")
    return redirect(url_for("account.users"))


@bp.post("/admin/users/<name>/active")
@require(Role.ADMIN)
def user_active(name: str):
    from broadcaster.users import set_active

    try:
        with svc().db.session() as s:
            set_active(s, actor(), name, request.form.get("active") == "1")
    except ValidationError as exc:
        flash(refusal_of(exc), "error")
    return redirect(url_for("account.users"))


def is_admin() -> bool:
    return bool(current_user.is_authenticated and current_user.role is Role.ADMIN)
