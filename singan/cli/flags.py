"""The flags several commands share, each declared once (`singan.options.option`).

`RunOptions`: where inputs and outputs are, the device and the seed (every command). `ModelFolder`:
the training flags that name a trained model's folder, for the commands that load one. `OutSize`:
--out_size. `Preset`: --preset, beside the training flags (`singan.core.config.TrainConfig`).
`InputName`: the training image of the commands that use a trained model. A
command's parser adds the groups it takes (`singan.cli.program.ArgumentParser.add`) and its own options.
"""

from dataclasses import dataclass

from ..apps.upscale import OUT_SIZE_HELP, UPSCALER_HELP, UPSCALERS, valid_out_size
from ..core.config import PRESETS, SEED, SPEED, TrainConfig
from ..options import Rule, boolean, one_of, option, rule_of, text

OUT_SIZE = Rule(valid_out_size, "train, full, HxW (e.g. 1536x2048) or a longest side in pixels (e.g. 2000)")


@dataclass
class RunOptions:
    """What every command takes (the original's runtime flags, and --device, --models_dir)."""

    input_dir: str = option("input/images", "folder of the training image", text())
    not_cuda: bool = option(False, "disables cuda (same as --device cpu)", boolean())
    device: str = option("auto", "'auto' (CUDA when present), 'cpu', 'cuda', 'cuda:1', ...", text())
    manualSeed: int | None = option(None, "random seed (default: drawn at random)", SEED, aliases=("seed",))
    out: str = option("Output", "output folder", text())
    models_dir: str = option("TrainedModels", "root folder of trained models", text())


@dataclass
class ModelFolder:
    """--scale_factor and --alpha of a command that only loads a model: they name its folder."""

    scale_factor: float = option(0.75, "as in training (names the model folder)", rule_of(TrainConfig, "scale_factor"))
    alpha: float = option(10.0, "as in training (names the model folder)", rule_of(TrainConfig, "alpha"))


@dataclass
class OutSize:
    out_size: str = option("train", OUT_SIZE_HELP, OUT_SIZE)
    upscaler: str = option("patches", UPSCALER_HELP, one_of(*UPSCALERS), choices=True)


@dataclass
class Preset:
    preset: str = option("default", "named defaults: 'fast' = --niter 500 --lr_milestone 400 (about 4x quicker); "
                         "'quick' = --max_size 80 --niter 200 --lr_milestone 160 (minutes on a CPU)",
                         one_of(*PRESETS), group=SPEED, choices=True)


@dataclass
class InputName:
    input_name: str = option(None, "training image name", text(), required=True)
