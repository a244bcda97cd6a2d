"""CLI sub-commands, one module per area, each exposing ``register(subparsers)``; the helpers the desk's
and the case-work commands share."""
from __future__ import annotations

import argparse


def group(subparsers, name: str, help: str):
    """A command of actions (``case list``, ``case show``...), the action stored as ``<name>_command``."""
    return subparsers.add_parser(name, help=help).add_subparsers(dest=f"{name}_command", metavar="ACTION",
                                                                  required=True)


def action(sub, name: str, func, help: str, user: bool = False) -> argparse.ArgumentParser:
    """One action of a :func:`group`; with ``user``, the required ``--user`` of who is acting."""
    p = sub.add_parser(name, help=help, description=help)
    p.set_defaults(func=func)
    if user:
        p.add_argument("--user", required=True, help="who is acting (user name)")
    return p


def naming_options(func, positional: tuple[str, ...] = ()):
    """``func`` with its refusals naming the command's options (``--received-at: ...``): the services
    and the input models they share with the panel's forms name the fields."""
    from broadcaster.errors import FieldErrors
    from broadcaster.inputs_cases import named

    def run(args) -> int:
        try:
            return func(args)
        except FieldErrors as exc:
            raise named(exc, set(vars(args)) - set(positional)) from None
    return run


def zone_list(values: str | list[str] | None) -> list[str] | None:
    """Zones as the options give them, comma-separated and/or repeated (None: the default)."""
    values = [values] if isinstance(values, str) else values or []
    return [z.strip() for v in values for z in v.split(",") if z.strip()] or None


def local(at, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored instant in venue time, to the minute by default ("-" for none)."""
    from broadcaster.cases.numbering import venue_tz

    return at.astimezone(venue_tz()).strftime(fmt) if at else "-"


def month(value: str | None) -> tuple[int, int]:
    """``--month YYYY-MM`` (default: this venue month) as (year, month); a refusal names the option."""
    from broadcaster.cases.numbering import venue_tz
    from broadcaster.cases.report import parse_month
    from broadcaster.clock import utcnow
    from broadcaster.errors import FieldErrors, ValidationError

    try:
        return parse_month(value, utcnow(), venue_tz())
    except ValidationError as exc:
        raise FieldErrors({"--month": str(exc).removeprefix("month: ")}) from None
