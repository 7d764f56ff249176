"""The run's progress bar counts work, not iterations, and starts where a resumed run left off."""

import pytest
import torch

from helpers import IMAGES, assert_same_checkpoints, tiny_config
from singan import train_image
from singan.core.progress import RunProgress, scale_costs
from singan.io import checkpoint


def test_costs_weigh_padded_pixels_and_width():
    assert scale_costs([(10, 10), (20, 20)], [32, 64]) == [15 * 15 * (32 ** 1.5 + 32 * 32),
                                                           25 * 25 * (64 ** 1.5 + 32 * 64)]


def test_bar_is_weighted_and_resumes_part_way(capsys):
    bar = RunProgress([1.0, 4.0], niter=10, start=(1, 5))
    assert bar.bar.total == 50 and bar.bar.n == 10 + 5 * 4  # scale 0 done, half of scale 1
    bar.start_scale(1, (20, 20))
    bar.step(5, {"errD": 0.5})
    assert bar.bar.n == 34 and "iteration 6/10 errD=0.5" in bar.bar.postfix
    assert "scale 2/2 (20x20)" in bar.bar.desc
    bar.close()
    assert "scale 2/2 (20x20)" in capsys.readouterr().err


def test_work_is_counted_with_the_bar_disabled():
    bar = RunProgress([1.0, 3.0], niter=2, start=(0, 1), enabled=False)
    assert bar.work == 1 / 8
    for n, iteration in ((0, 1), (1, 0), (1, 1)):
        bar.start_scale(n, (10, 10))
        bar.step(iteration)
    assert bar.work == 1.0


def test_progress_fn_hears_every_iteration_and_changes_no_bit(tmp_path):
    """Training with a progress_fn (and without previews) lands on the same weights as without (no random draw,
    no op added); previews=False writes the model file alone."""
    calls = []
    runs = (("plain", None, True), ("reported", lambda *a: calls.append(a), False))
    for name, progress_fn, previews in runs:
        torch.manual_seed(0)
        train_image(IMAGES / "balloons.png", tiny_config(niter=3), tmp_path / name / "model.pt", progress=False,
                    progress_fn=progress_fn, previews=previews)
    assert_same_checkpoints(*(checkpoint.read_state(tmp_path / name / "model.pt") for name, _, _ in runs))
    assert (tmp_path / "plain" / "1" / "losses.png").is_file()
    assert sorted(p.name for p in (tmp_path / "reported").iterdir()) == ["model.pt"]
    assert [c[:3] for c in calls] == [(0, 0, 2), (0, 1, 2), (0, 2, 2), (0, 3, 2), (1, 1, 2), (1, 2, 2), (1, 3, 2)]
    work = [c[3] for c in calls]
    assert work[0] == 0 and work == sorted(work) and work[-1] == pytest.approx(1.0)
    assert 0 < work[3] < 1 / 2  # scale 0 done: less than half the work, the finer scale costs more
