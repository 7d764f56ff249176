"""Options declared once: name, type, default, help and rule of every setting, as dataclass fields.

A setting is a field of a plain dataclass (`TrainConfig`, `SampleOptions`, a command's options)
made with `option(default, help, rule)`. From that one declaration:
- `add_arguments` declares the command-line flags (argparse: type, default, help, choices);
- `check` / `check_value` test values against the rule, from the Python API and the command line
  alike, with a one-line `SinGANError` naming the setting, the value and what is allowed;
- `singan.cli.reference` writes every command's flags with their rules (docs/cli.md).
A rule is a predicate with the words that say what it allows (`between(1, 100000, integer=True)`:
"an integer in [1, 100000]"). Numbers are finite and never bools (True is not 1).
"""

import argparse
import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .errors import SinGANError, api_error


@dataclass(frozen=True)
class Rule:
    """`test(value)` holds for the allowed values; `text` says which they are ("an integer in [1, 10]")."""

    test: Callable[[object], bool]
    text: str
    values: tuple | None = None  # the allowed values, where the rule is a short list of them (`one_of`)

    def __call__(self, value: object) -> bool:
        return self.test(value)


def is_number(x: object) -> bool:
    """A finite int or float, not a bool."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def is_int(x: object) -> bool:
    """An int, not a bool (2.0 is refused: a stored config is checked against what it declares)."""
    return isinstance(x, int) and not isinstance(x, bool)


def between(lo: float, hi: float, *, integer: bool = False, open_lo: bool = False, open_hi: bool = False) -> Rule:
    """A finite number (an integer if `integer`) in [lo, hi] (ends excluded when open)."""
    def test(x: object) -> bool:
        if not is_number(x) or (integer and not is_int(x)):
            return False
        return (lo < x if open_lo else lo <= x) and (x < hi if open_hi else x <= hi)

    kind = "an integer" if integer else "a number"
    return Rule(test, f"{kind} in {'(' if open_lo else '['}{lo:g}, {hi:g}{')' if open_hi else ']'}")


def one_of(*values: object) -> Rule:
    """One of `values`, of the same type (True is not 1)."""
    return Rule(lambda x: any(x == v and type(x) is type(v) for v in values), "one of " + ", ".join(map(str, values)),
                values)


def boolean() -> Rule:
    return Rule(lambda x: isinstance(x, bool), "True or False")


def text() -> Rule:
    """A non-empty string (a name, a folder, a path)."""
    return Rule(lambda x: isinstance(x, str) and x != "", "a non-empty text")


def optional(rule: Rule) -> Rule:
    """`rule`, or None (the setting left to its default)."""
    return Rule(lambda x: x is None or rule(x), rule.text)


def option(default: object, help: str, rule: Rule | None = None, *, flag: str | None = None,
           aliases: tuple[str, ...] = (), group: str | None = None, cli: bool = True, hidden: bool = False,
           **argparse_kwargs) -> dataclasses.Field:
    """A dataclass field declaring one setting. `flag`: the command line's name when it is not the
    field's (`--alpha_animation` for `alpha`), `aliases` more names (`--seed`); `group`: its heading in
    --help (`hidden`: none, a flag kept for compatibility); `cli=False`: no flag (set from Python or by
    the command); `argparse_kwargs` (type, choices,
    action, nargs, const, required, metavar): what argparse needs beyond what `default` and `rule` say."""
    metadata = {"help": help, "rule": rule, "flag": flag, "aliases": aliases, "group": group, "cli": cli,
                "hidden": hidden, "argparse": argparse_kwargs}
    if isinstance(default, (list, dict, set)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def fields(options: type | object) -> list[dataclasses.Field]:
    """The declared settings of an options dataclass (or instance), in declaration order."""
    return [f for f in dataclasses.fields(options) if "rule" in f.metadata]


def field(options: type | object, name: str) -> dataclasses.Field:
    return next(f for f in fields(options) if f.name == name)


def rule_of(options: type | object, name: str) -> Rule | None:
    """The rule of the setting `name` of `options` (for another setting that allows the same values)."""
    return field(options, name).metadata["rule"]


def flag_name(f: dataclasses.Field) -> str:
    return f.metadata["flag"] or f.name


def arg_name(f: dataclasses.Field) -> str:
    """The setting's name in parsed flags: its flag's, unless the declaration gives another `dest`."""
    return f.metadata["argparse"].get("dest") or flag_name(f)


def problem(f: dataclasses.Field, value: object) -> str | None:
    """What is wrong with `value` for the setting `f`, or None when its rule holds (no rule: anything)."""
    rule = f.metadata["rule"]
    return None if rule is None or rule(value) else f"must be {rule.text}"


def value_error(name: str, value: object, message: str, flag: str | None = None) -> SinGANError:
    """A one-line SinGANError naming the setting and the value: `name=2.5: must be ...` for the Python
    API, `--flag 2.5: must be ...` for the command line."""
    return api_error(f"{name}={value!r:.60}: {message}", f"--{flag or name} {value}: {message}")


def check_value(options: type | object, name: str, value: object) -> object:
    """`value` when it meets the rule of the setting `name` of `options`; else a one-line SinGANError."""
    f = field(options, name)
    message = problem(f, value)
    if message:
        raise value_error(name, value, message, flag_name(f))
    return value


def check(instance: object, names: Iterable[str] | None = None) -> object:
    """`instance` when every declared setting (or those in `names`) meets its rule; else the first failure."""
    wanted = None if names is None else set(names)
    for f in fields(instance):
        if wanted is None or f.name in wanted:
            check_value(instance, f.name, getattr(instance, f.name))
    return instance


def check_args(args: argparse.Namespace, options: Iterable[type],
               defaults: Callable[[str], object] | None = None) -> None:
    """Every parsed flag that one of `options` declares against its rule; the first failure is one line.
    A None that is the parser's default (`defaults(name)`) is the flag left out, not checked."""
    for cls in options:
        for f in fields(cls):
            if not f.metadata["cli"] or not hasattr(args, arg_name(f)):
                continue
            value = getattr(args, arg_name(f))
            if value is None and defaults is not None and defaults(arg_name(f)) is None:
                continue
            check_value(cls, f.name, value)


# ---------------------------------------------------------------- argparse

def _argparse_kwargs(f: dataclasses.Field, default: object) -> dict:
    """What `add_argument` takes for the setting `f`: the type from the default (or the rule), booleans as
    store_true flags, the rule's values as argparse's choices where the declaration asks (`choices=True`),
    the help text."""
    kwargs = {"help": argparse.SUPPRESS if f.metadata["hidden"] else f.metadata["help"], **f.metadata["argparse"]}
    if kwargs.get("choices") is True:
        kwargs["choices"] = list(f.metadata["rule"].values)
    if "action" not in kwargs and "type" not in kwargs:
        if isinstance(default, bool):
            kwargs["action"] = "store_true"
        elif isinstance(default, float):
            kwargs["type"] = float
        elif isinstance(default, int) or "integer" in getattr(f.metadata["rule"], "text", ""):
            kwargs["type"] = int
        elif "a number" in getattr(f.metadata["rule"], "text", ""):
            kwargs["type"] = float
    if not kwargs.get("required"):
        kwargs["default"] = default
    return kwargs


def default_of(f: dataclasses.Field) -> object:
    return f.default_factory() if f.default is dataclasses.MISSING else f.default


def add_arguments(parser: argparse.ArgumentParser, options: type, *, only: Iterable[str] | None = None,
                  exclude: Iterable[str] = (), defaults: dict | None = None, title: str | None = None) -> None:
    """Declare the flags of the settings of `options` (those in `only`, less `exclude`; `defaults` override
    the declared ones, as a command's own defaults), under their --help groups (`title` for the others)."""
    groups: dict[str | None, argparse._ActionsContainer] = {}
    for f in fields(options):
        if not f.metadata["cli"] or f.name in exclude or (only is not None and f.name not in only):
            continue
        heading = f.metadata["group"] or title
        if heading not in groups:
            existing = [g for g in parser._action_groups if heading and g.title == heading]
            groups[heading] = existing[0] if existing else parser.add_argument_group(heading) if heading else parser
        kwargs = _argparse_kwargs(f, (defaults or {}).get(f.name, default_of(f)))
        names = [f"--{name}" for name in (flag_name(f), *f.metadata["aliases"])]
        groups[heading].add_argument(*names, **kwargs)
    declared = getattr(parser, "declared", None)
    if declared is not None:
        declared.append(options)


def from_args(options: type, args: argparse.Namespace, **overrides) -> object:
    """An instance of `options` from the parsed flags (settings without a flag keep their default)."""
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(options) if hasattr(args, f.name)}
    return options(**{**values, **overrides})
