"""`python -m singan.figures` (singan-figures): the paper's figure types as PNG grids.

    python -m singan.figures --input_name balloons.png                      # -> figures/*.png
    python -m singan.figures --input_name balloons.png --num_samples 6 --scales 0 1 3 --seed 2
    python -m singan.figures --applications Output                          # applications only

Loads TrainedModels/<name>/scale_factor=0.750000,alpha=10/model.pt (as random_samples.py) and
writes to --out (default figures/) the figures `singan.eval.figures` draws.
"""

from dataclasses import dataclass
from pathlib import Path

from ..api import load
from ..errors import SinGANError
from ..eval.figures import figure_applications, figure_arbitrary_sizes, figure_generation_from_scales
from ..io import paths
from ..options import Rule, between, option, optional, text
from . import program as cli
from .flags import ModelFolder

SCALE = between(0, 1000, integer=True)


def main(args) -> list[Path]:
    if not args.input_name and not args.applications:
        raise SinGANError("nothing to draw: give --input_name (sample figures) and/or --applications DIR")
    if args.applications and not Path(args.applications).is_dir():  # checked before the first figure is drawn
        raise SinGANError(f"--applications {args.applications}: no such folder (the scripts' Output/ folder)")
    written = []
    if args.input_name:
        device = cli.device_from_args(args)
        cli.seed_everything(args.manualSeed)
        model_file = paths.trained_model_file(args.input_name, args.scale_factor, args.alpha, root=args.models_dir)
        model = load(model_file, device)
        written.append(figure_generation_from_scales(model, args.out, args.num_samples, args.scales,
                                                     args.manualSeed))
        written.append(figure_arbitrary_sizes(model, args.out, seed=args.manualSeed))
    if args.applications:
        path = figure_applications(args.applications, args.out, args.applications_inputs, image=args.input_name)
        if path is None:
            print(f"no application results under {args.applications}: applications.png skipped")
        else:
            written.append(path)
    for path in written:
        print(f"figure: {path}")
    return written


@dataclass
class FiguresOptions:
    input_name: str | None = option(None, "training image name (for the sample figures)", optional(text()))
    num_samples: int = option(4, "samples per row of generation_from_scales.png", between(1, 100, integer=True))
    scales: list[int] | None = option(None, "generation start scales, one row each (default: every scale)",
                                      optional(Rule(lambda x: isinstance(x, list) and all(map(SCALE, x)),
                                                    f"{SCALE.text}, one or more")), type=int, nargs="+")
    applications: str | None = option(None, "the scripts' output folder (Output): also draw applications.png from "
                                            "its results", optional(text()), metavar="DIR")
    applications_inputs: str = option("input", "folder of the applications' input images, for results that do not "
                                               "record theirs", text())


def get_parser():
    p = cli.parser("Draw the paper's figures (generation from scales, arbitrary sizes, applications).",
                   manualSeed=0, out="figures")
    return p.add(FiguresOptions).add(ModelFolder)


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
