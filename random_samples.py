"""Draw random samples from a trained SinGAN, at the training size or any other.

    python random_samples.py --input_name balloons.png --mode random_samples --gen_start_scale 0
    python random_samples.py --help

The same program as the console command singan-sample once the package is installed;
its code is singan/cli/sample.py.
"""

from singan_launch import launch

if __name__ == "__main__":
    launch("sample")
