"""`python -m singan.figures` (singan-figures): the paper's figure types as PNG grids.

    python -m singan.figures --input_name balloons.png --num_samples 6 --scales 0 1 3 --seed 2
    python -m singan.figures --applications Output                          # applications only

Loads the model random_samples.py loads and writes to --out (default figures/) the figures
`singan.eval.figures` draws.
"""

from pathlib import Path

from ..core.config import Rule, between, check_rules
from ..errors import SinGANError
from ..eval.figures import figure_applications, figure_arbitrary_sizes, figure_generation_from_scales
from . import flags
from . import program as cli

SCALE = between(0, 1000, integer=True)
RULES = {"num_samples": between(1, 100, integer=True),
         "scales": Rule(lambda x: x is None or all(map(SCALE, x)), f"{SCALE.text}, one or more")}


def main(args) -> None:
    if not args.input_name and not args.applications:
        raise SinGANError("nothing to draw: give --input_name (sample figures) and/or --applications DIR")
    if args.applications and not Path(args.applications).is_dir():  # checked before the first figure is drawn
        raise SinGANError(f"--applications {args.applications}: no such folder (the scripts' Output/ folder)")
    if args.input_name:
        check_rules(args, RULES)
        _, model = cli.trained_model(args)
        path = figure_generation_from_scales(model, args.out, args.num_samples, args.scales, args.manualSeed)
        print(f"figure: {path}")
        print(f"figure: {figure_arbitrary_sizes(model, args.out, seed=args.manualSeed)}")
    if args.applications:
        path = figure_applications(args.applications, args.out, args.applications_inputs, image=args.input_name)
        if path is None:
            print(f"no application results under {args.applications}: applications.png skipped")
        else:
            print(f"figure: {path}")


def get_parser():
    p = cli.parser("Draw the paper's figures (generation from scales, arbitrary sizes, applications).",
                   seed=0, out="figures")
    p.add_argument("--input_name", type=str, default=None, help="training image name (for the sample figures)")
    p.add_argument("--num_samples", type=int, default=4, help="samples per row of generation_from_scales.png")
    p.add_argument("--scales", type=int, nargs="+", default=None,
                   help="generation start scales, one row each (default: every scale)")
    p.add_argument("--applications", type=str, default=None, metavar="DIR",
                   help="the scripts' output folder (Output): also draw applications.png from its results")
    p.add_argument("--applications_inputs", type=str, default="input",
                   help="folder of the applications' input images, for results that do not record theirs")
    flags.note_rules(p, RULES)
    flags.add_model_folder_flags(p)
    return p
