"""An existing model and the settings asked for: use it, retrain it, or refuse in one line.

A command that trains a model only when it does not exist yet (SR.py, animation.py, singan.batch)
must not silently reuse a model trained with other settings. `check_existing` compares the training
flags stored in the checkpoint with those asked for: the same settings reuse the model, other settings
retrain it with --overwrite and are refused without, in one line naming both values of each.
"""

import dataclasses
from pathlib import Path

from ..core.config import TrainConfig
from ..errors import SinGANError
from . import checkpoint

SPEED_ONLY = ("cuda_graph",)  # flags that change how fast a model trains, not what it learns


def check_existing(model_file: str | Path, config: TrainConfig, overwrite: bool, seed_given: bool = True) -> bool:
    """Whether the existing `model_file` can be used as it is (True); False: retrain it (--overwrite).
    A model trained with other settings and no --overwrite is a one-line SinGANError naming them. The seed
    counts only when `seed_given` (a seed drawn at random is whatever the stored model drew)."""
    stored = TrainConfig.from_dict(checkpoint.read_state(model_file)["config"])
    skip = set(SPEED_ONLY) | (set() if seed_given else {"manualSeed"})
    differences = ", ".join(f"--{f.name} {getattr(stored, f.name)} (asked: {getattr(config, f.name)})"
                            for f in dataclasses.fields(TrainConfig)
                            if f.name not in skip and getattr(stored, f.name) != getattr(config, f.name))
    if not differences:
        return True
    if overwrite:
        print(f"retraining {model_file} (--overwrite): it was trained with {differences}")
        return False
    raise SinGANError(f"{model_file} was trained with other settings: {differences}; "
                      "pass --overwrite to retrain it, or the same flags to use it")
