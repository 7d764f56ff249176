"""`python -m singan.evaluate` (singan-evaluate): score a trained model's random samples.

    python -m singan.evaluate --input_name balloons.png --gen_start_scale 1 --num_samples 100 --sifid_dims 192

Draws --num_samples samples of the model random_samples.py loads, at the training size from --gen_start_scale
(seeded by --seed, 0 by default), and scores them (`singan.eval.evaluate`); prints a table and writes it as
JSON (where: the parser's description). Sampling shows a progress bar on stderr.
"""

import argparse
import sys

from ..api import SampleOptions
from ..eval.evaluate import NUM_SAMPLES, SIFID_DIMS, check_settings, draw, format_table, score
from ..eval.fid_inception import WEIGHTS_FILE, load_inception, resolve_weights
from ..io import paths
from ..io.atomic import write_json
from . import flags
from . import program as cli


def main(args) -> None:
    model_file, model = cli.trained_model(args)
    options = check_settings(model, args.num_samples, args.gen_start_scale, args.manualSeed, args.batch_size)
    weights, note = resolve_weights(args.inception_weights)  # after the check
    inception = load_inception(weights, args.sifid_dims, model.device) if weights is not None else None
    if note:
        print(note, file=sys.stderr)
    samples = draw(model, options, progress=True)
    result = score(model, samples, args.gen_start_scale, args.manualSeed, inception, args.sifid_dims, note, True)
    folder = model_file.parent if args.out is None else paths.application_dir(args.out, "Evaluation", args.input_name,
                                                                               model_file=model_file)
    out = write_json(result, folder / f"evaluation_gen_start_scale={args.gen_start_scale}.json")
    print(format_table(result))
    print(f"written to {out}")


def add_score_flags(p: argparse._ActionsContainer, num_samples: int) -> None:
    """--num_samples, --inception_weights, --sifid_dims (singan.evaluate, singan.batch, singan.benchmark)."""
    p.add_argument("--num_samples", type=int, default=num_samples,
                   help="samples to score (at least 2: diversity compares them)")
    p.add_argument("--inception_weights", type=str, default=None, help=f"FID Inception weights file ({WEIGHTS_FILE}); "
                   "default: the torch hub cache's, downloaded there on first use")
    p.add_argument("--sifid_dims", type=int, default=64, choices=SIFID_DIMS, help="SIFID's Inception features: 64 "
                   "(after the first max-pool, the released SIFID code) or 192 (after the second; the paper's text "
                   "names the features before it)")


def get_parser() -> cli.ArgumentParser:
    p = cli.parser("Score the random samples of a trained SinGAN (diversity, patch SWD, SIFID). The JSON goes "
                   "beside the model file, or with --out to <out>/Evaluation/<name>/<model folder>/.", seed=0, out=None)
    p.add_argument("--input_name", type=str, required=True, help="training image name")
    p.add_argument("--gen_start_scale", type=int, default=0,
                   help="scales below it reconstruct the image (0: everything random)")
    p.add_argument("--batch_size", type=int, default=None, help="samples per forward pass (default: all)")
    add_score_flags(p, num_samples=100)
    flags.note_rules(p, {**{k: SampleOptions.RULES[k] for k in ("gen_start_scale", "batch_size")},
                         "num_samples": NUM_SAMPLES})
    flags.add_model_folder_flags(p)
    return p
