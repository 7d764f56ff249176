"""`python -m singan.figures` (singan-figures): the paper's figure types as PNG grids.

    python -m singan.figures --input_name balloons.png                      # -> figures/*.png
    python -m singan.figures --input_name balloons.png --num_samples 6 --scales 0 1 3 --seed 2
    python -m singan.figures --applications Output                          # applications only

Loads TrainedModels/<name>/scale_factor=0.750000,alpha=10/model.pt (as random_samples.py) and
writes to --out (default figures/) the figures `singan.eval.figures` draws.
"""

from pathlib import Path

from ..api import load
from ..errors import SinGANError
from ..eval.figures import figure_applications, figure_arbitrary_sizes, figure_generation_from_scales
from ..io import paths
from . import program as cli


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
        path = figure_applications(args.applications, args.out, args.applications_inputs)
        if path is None:
            print(f"no application results under {args.applications}: applications.png skipped")
        else:
            written.append(path)
    for path in written:
        print(f"figure: {path}")
    return written


def get_parser():
    p = cli.parser("Draw the paper's figures (generation from scales, arbitrary sizes, applications).")
    p.add_argument("--input_name", default=None, help="training image name (for the sample figures)")
    p.add_argument("--num_samples", type=int, default=4, help="samples per row of generation_from_scales.png")
    p.add_argument("--scales", type=int, nargs="+", default=None,
                   help="generation start scales, one row each (default: every scale)")
    p.add_argument("--applications", default=None, metavar="DIR",
                   help="the scripts' output folder (Output): also draw applications.png from its results")
    p.add_argument("--applications_inputs", default="input", help="folder of the applications' input images")
    p.add_argument("--seed", dest="manualSeed", type=int, help="random seed (alias --manualSeed)")
    p.add_argument("--scale_factor", type=float, default=0.75, help="as in training (names the model folder)")
    p.add_argument("--alpha", type=float, default=10, help="as in training (names the model folder)")
    p.set_defaults(manualSeed=0, out="figures")
    return p


def run(argv: list[str] | None = None) -> None:
    cli.run(main, get_parser(), argv)


if __name__ == "__main__":
    run()
