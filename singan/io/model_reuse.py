"""An existing model and the settings asked for: use it, retrain it, or refuse in one line.

A command that trains a model only when it does not exist yet (SR.py, animation.py, singan.batch)
must not silently reuse a model trained with other settings. `settings_differ` lists the training
flags whose stored value (the config in the checkpoint) differs from the one asked for;
`check_existing` turns that into the decision: the same settings reuse the model, other settings
retrain it with --overwrite and are refused without, in one line naming both.
"""

import dataclasses
from pathlib import Path

from ..core.config import TrainConfig
from ..errors import SinGANError
from . import checkpoint

SPEED_ONLY = ("cuda_graph",)  # flags that change how fast a model trains, not what it learns
Difference = tuple[str, object, object]  # (flag, stored value, wanted value)


def settings_differ(stored: TrainConfig, wanted: TrainConfig, seed_given: bool = True) -> list[Difference]:
    """(flag, stored value, wanted value) for every training setting that differs; the seed only when
    `seed_given` (a seed drawn at random is whatever the stored model drew)."""
    skip = set(SPEED_ONLY) | (set() if seed_given else {"manualSeed"})
    return [(f.name, getattr(stored, f.name), getattr(wanted, f.name)) for f in dataclasses.fields(TrainConfig)
            if f.name not in skip and getattr(stored, f.name) != getattr(wanted, f.name)]


def describe_differences(differences: list[Difference]) -> str:
    """'--max_size 40 (asked: 50), --niter 10 (asked: 20)'."""
    return ", ".join(f"--{name} {old} (asked: {new})" for name, old, new in differences)


def check_existing(model_file: str | Path, config: TrainConfig, overwrite: bool, seed_given: bool = True) -> bool:
    """Whether the existing `model_file` can be used as it is (True); False: retrain it (--overwrite).
    A model trained with other settings and no --overwrite is a one-line SinGANError naming them."""
    differences = settings_differ(TrainConfig.from_dict(checkpoint.read_state(model_file)["config"]), config,
                                  seed_given)
    if not differences:
        return True
    if overwrite:
        print(f"retraining {model_file} (--overwrite): it was trained with {describe_differences(differences)}")
        return False
    raise SinGANError(f"{model_file} was trained with other settings: {describe_differences(differences)}; "
                      "pass --overwrite to retrain it, or the same flags to use it")
