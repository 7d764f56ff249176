"""What every command shares: the parser, device and seed set-up, error reporting.

A command is a module with `main(args)` and `get_parser()` (plain argparse; the shared flags in `singan.cli.flags`);
`run(main, parser, argv)` (`run_command(module, argv)` for such a module) parses the flags, checks the output
folders and calls `main`, which hands the values to the Python API: the API checks them, once, before any work.
Bad input (a `SinGANError`, a bad flag, an operating-system error such as a read-only folder) is one line on
stderr and exit status 2. Ctrl-C (SIGINT) and SIGTERM stop the run with exit status 130 and 143; training first
saves its current iteration, and the line printed gives the exact command that resumes it.
"""

import argparse
import difflib
import random
import shlex
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import torch

from ..api import load
from ..core.config import PRESETS, SEED, TrainConfig, check_rules, check_value
from ..core.model import SinGAN
from ..errors import SinGANError
from ..io import paths
from ..runtime.interrupt import end_startup
from .flags import add_run_flags


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Shows '(default: x)' after the help of flags that have a meaningful default not already stated."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        no_default = action.default in (None, argparse.SUPPRESS) or isinstance(action.default, bool)
        if no_default or "(default" in text or "default:" in text or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)"


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (exit status 2, no usage dump) that suggest the closest flags for a
    mistyped one, and no abbreviations (a prefix of a flag is not that flag). `rules`: flag -> what the API
    allows (docs/cli.md)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.rules: dict[str, str] = {}

    def error(self, message: str) -> None:  # type: ignore[override]
        """One line; '; --maxsize: did you mean --max_size?' for each unrecognized flag resembling one of ours."""
        flags = [s for a in self._actions for s in a.option_strings if s.startswith("--")]
        words = message.split(":", 1)[1].split() if message.startswith("unrecognized arguments:") else []
        for word in [w.split("=")[0] for w in words if w.startswith("-")]:
            if close := closest_flags(word, flags):  # 'a', 'a or b', 'a, b or c'
                message += f"; {word}: did you mean {' or '.join(filter(None, [', '.join(close[:-1]), close[-1]]))}?"
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def closest_flags(word: str, flags: list[str]) -> list[str]:
    """Up to 3 flags of `flags` closest to the mistyped `word` ('--max-size', '--maxsize', '--iters', '--scale'):
    the same name with '-' for '_' or another case, those it begins (an abbreviation), then the most similar."""
    def key(flag: str) -> str:
        return flag.lstrip("-").lower().replace("-", "_")

    typed, names = key(word), {key(f): f for f in flags}
    if typed in names:
        return [names[typed]]
    starting = [f for k, f in names.items() if typed and k.startswith(typed)]
    similar = [names[k] for k in difflib.get_close_matches(typed, list(names), n=3, cutoff=0.7)]
    return list(dict.fromkeys([*starting, *similar]))[:3]


def parser(description: str, **defaults) -> ArgumentParser:
    """A parser with the runtime flags (`flags.add_run_flags`) and the command's own `defaults` of those."""
    p = ArgumentParser(description=description)
    add_run_flags(p, **defaults)
    return p


def apply_preset(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> None:
    """Make the --preset named in argv set the parser's defaults, so explicit flags still win."""
    if parser.get_default("preset") is None:  # a parser without --preset
        return
    known, _ = parser.parse_known_args(argv)
    parser.set_defaults(**PRESETS[known.preset])


def str2bool(value: str) -> bool:
    """'True'/'1'/'yes' -> True, 'False'/'0'/'no' -> False (the original's type=bool made 'False' True)."""
    if value.lower() not in ("true", "1", "yes", "y", "false", "0", "no", "n"):
        raise ValueError(value)
    return value.lower() in ("true", "1", "yes", "y")


def check_folders(args: argparse.Namespace) -> None:
    """--out and --models_dir are (or can be created as) writable folders; the first failure is one line."""
    for flag in ("out", "models_dir"):
        folder = getattr(args, flag, None)
        if folder is None:  # an optional folder left to its default
            continue
        path = Path(folder)
        if path.exists() and not path.is_dir():
            raise SinGANError(f"--{flag} {folder}: is a file; must be a folder (it is created if missing)")
        existing = next(p for p in [path, *path.resolve().parents] if p.exists())
        try:  # a file created there, tried: os.access answers for root's capabilities and the real uid, not for
            tempfile.TemporaryFile(dir=existing).close()  # what a write will meet (nothing is left behind)
        except OSError:
            raise SinGANError(f"--{flag} {folder}: {existing} is not a writable folder") from None


def device_name(args: argparse.Namespace) -> str:
    """The device --device / --not_cuda name (the API checks it against the devices this machine has)."""
    return "cpu" if args.not_cuda else args.device


def trained_model(args: argparse.Namespace, allow_partial: bool = False) -> tuple[Path, SinGAN]:
    """The model file of --input_name, --scale_factor, --alpha under --models_dir and the model, loaded on --device
    after seeding with --manualSeed; when it is missing, one line saying where it looked and which flags point
    elsewhere (a command run from another folder)."""
    check_rules(args, {name: TrainConfig.RULES[name] for name in ("scale_factor", "alpha")})  # they name its folder
    model_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, root=args.models_dir)
    if not model_file.exists():
        raise SinGANError(f"no trained model at {model_file.absolute()}: train first with main_train.py --input_name "
                          f"{args.input_name}, or, if it was trained in another folder, point --models_dir (now "
                          f"{args.models_dir}) and --input_dir (now {args.input_dir}) there")
    seed_everything(args.manualSeed)
    return model_file, load(model_file, device_name(args), allow_partial=allow_partial)


def seed_everything(seed: int | None, announce: bool = True) -> int:
    """Seed python, numpy and torch with --manualSeed (checked); draw one in 1..10000 when none is given
    (printed, as the original)."""
    check_value("manualSeed", seed, SEED)
    if seed is None:
        seed = random.randint(1, 10000)
    if announce:
        print("Random Seed: ", seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return seed


def resume_command(argv: list[str], resume: bool = True) -> str:
    """The command line that continues this run: the same one plus --resume (less --overwrite, which
    --resume refuses: what this run has written is continued, not replaced again); `resume=False`: the same."""
    if resume:
        argv = [*[a for a in argv if a != "--overwrite"], *([] if "--resume" in argv else ["--resume"])]
    program = sys.argv[0]
    return shlex.join([*([sys.executable] if program.endswith(".py") else []), program, *argv])


def watch_resumable(args: argparse.Namespace, *files: Path) -> None:
    """Note `files` (the model, and outputs --resume completes) as they are now: if the run is interrupted, the
    line printed says --resume only when there is something to resume (the model exists, and this run wrote one
    of them or was already resuming)."""
    args.resume_watch = [(Path(f), _file_id(Path(f))) for f in files]


def _file_id(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _can_resume(args: argparse.Namespace | None) -> bool:
    watch = getattr(args, "resume_watch", [])
    if not watch or _file_id(watch[0][0]) is None:
        return False
    return getattr(args, "resume", False) or any(_file_id(path) != before for path, before in watch)


def _raise_interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt(signum)


def _exit(message: str, status: int = 2) -> None:
    print(message.replace("\n", " "), file=sys.stderr)
    sys.exit(status)


def _interrupted(signum: int, hint: str) -> None:
    _exit(f"interrupted ({signal.Signals(signum).name}){hint}", 128 + signum)


def run(main: Callable[[argparse.Namespace], object], p: argparse.ArgumentParser,
        argv: list[str] | None = None) -> None:
    """See the module docstring. The line of a command that takes --resume says how to go on: the command that
    resumes, or when nothing was saved yet the same command again."""
    argv = sys.argv[1:] if argv is None else list(argv)
    resumable = any("--resume" in a.option_strings for a in p._actions)
    again = f"to start again: {resume_command(argv, resume=False)}"
    args = None
    early = end_startup()  # a signal while the command's modules imported: stop here, nothing was done
    if early is not None:
        _interrupted(early, f"; nothing was done yet, {again}" if resumable else "")
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)  # after end_startup, which restores the default
    try:
        apply_preset(p, argv)
        args = p.parse_args(argv)
        check_folders(args)
        main(args)
    except SinGANError as e:
        text = getattr(e, "cli", None) or str(e)  # in the command line's words (see `errors.api_error`)
        if getattr(e, "partial_hint", False) and any("--allow_partial" in a.option_strings for a in p._actions):
            text += ", or pass --allow_partial to sample from the finished scales"
        if resumable and getattr(e, "write_fault", False) and _can_resume(args):  # a failed write (a full disk):
            text += f"; the last checkpoint is kept, to continue once that is fixed: {resume_command(argv)}"
        _exit(f"error: {text}")  # (checkpoints are written atomically)
    except OSError as e:
        _exit(f"error: {e.strerror or e}: {e.filename}" if e.filename else f"error: {e}")
    except KeyboardInterrupt as e:
        signum = e.args[0] if e.args and e.args[0] == signal.SIGTERM else signal.SIGINT
        hint = f"; to continue: {resume_command(argv)}" if _can_resume(args) else f"; nothing was saved yet, {again}"
        _interrupted(signum, hint if resumable else "")
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_command(command: ModuleType, argv: list[str] | None = None) -> None:
    """`run` a command module of `singan.cli`: its `main` and `get_parser()`."""
    run(command.main, command.get_parser(), argv)


def refuse_existing(files: list[Path], overwrite: bool) -> None:
    """A one-line SinGANError if one of `files` exists and --overwrite was not given."""
    existing = [f for f in files if Path(f).exists()]
    if existing and not overwrite:
        raise SinGANError(f"{existing[0]} already exists; pass --overwrite to replace it")
