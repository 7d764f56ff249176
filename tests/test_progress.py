"""The run's progress bar counts work, not iterations, and starts where a resumed run left off."""

import io
import warnings

import pytest
import torch

from helpers import IMAGES, assert_same_checkpoints, tiny_config
from singan import train_image
from singan.io import checkpoint
from singan.runtime.progress import LINE_EVERY, RunProgress, about, scale_costs


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


class Clock:
    """A clock the test moves by hand (its `now`, in seconds)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


SIZES = [(26, 33), (30, 39), (36, 47), (43, 56), (52, 67), (61, 80)]  # a 250 px photo at --preset quick
COSTS = scale_costs(SIZES, [32] * 6)


def _run(bar: RunProgress, clock: Clock, seconds, start=(0, 0)) -> None:
    """Step `bar` through the rest of the run; iteration i of the run takes seconds(i)."""
    i = 0
    for n in range(start[0], len(bar.costs)):
        bar.start_scale(n, SIZES[n])
        for iteration in range(start[1] if n == start[0] else 0, bar.niter):
            clock.now += seconds(i, n)
            bar.step(iteration)
            i += 1
    bar.close()


def test_estimate_leaves_out_the_first_iteration_and_ends_at_zero():
    """The first iteration (which pays for setting up) is left out of the rate: a 60 s first iteration
    then iterations at the cost model's rate give the true time left, not hours; the bar ends at 00:00."""
    clock, out = Clock(), Terminal()
    bar = RunProgress(COSTS, 20, stream=out, clock=clock)
    unit = 1 / COSTS[0]  # seconds per unit of work: an iteration of scale 1 takes 1 s
    left = []

    def seconds(i, n):
        left.append(bar.seconds_left())
        return 60.0 if i == 0 else bar.costs[n] * unit

    _run(bar, clock, seconds)
    assert left[:2] == [None, None]  # no estimate before the second iteration ends
    true_left = sum(bar.costs) * 20 * unit - 2 * bar.costs[0] * unit
    assert left[2] == pytest.approx(true_left, rel=1e-3)
    assert bar.seconds_left() == 0 and bar.done == bar.total
    assert "00:00 left, iteration 20/20" in out.getvalue() and "-00:00" not in out.getvalue()


def test_without_a_terminal_the_bar_is_a_line_every_few_seconds():
    clock, out = Clock(), io.StringIO()
    _run(RunProgress(COSTS, 10, stream=out, clock=clock), clock, lambda i, n: 1.0)  # 60 iterations, 60 s
    text = out.getvalue()
    assert "\r" not in text and text.endswith("\n")
    lines = text.splitlines()
    assert len(lines) == 60 // LINE_EVERY
    assert lines[0].startswith("scale 1/6 (26x33): ") and "iteration 5/10" in lines[0]
    assert lines[-1].startswith("scale 6/6 (61x80): 100% 01:00 elapsed, 00:00 left, iteration 10/10")


def test_the_expected_time_is_announced_once_with_the_scale_count(capsys):
    clock = Clock()
    bar = RunProgress(COSTS, 200, announce=True, stream=io.StringIO(), clock=clock)
    per_unit = 3.0 / COSTS[0]  # 3 s per iteration of scale 1
    _run(bar, clock, lambda i, n: bar.costs[n] * per_unit)
    out = capsys.readouterr().out.splitlines()
    expected = sum(bar.costs) * 200 * per_unit
    assert out == [f"6 scales, expected training time {about(expected)} (from the rate of the first 10 iterations)"]
    assert about(expected).startswith("about 2 h ")
    assert [about(40.2), about(420), about(7800)] == ["about 40 s", "about 7 min", "about 2 h 10 min"]


def test_a_resumed_bar_ends_exactly_on_its_total_without_warnings():
    """Float weights summed iteration by iteration overshot the total (tqdm: 'clamping frac to range [0, 1]')."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for niter, start in ((97, (5, 96)), (200, (2, 37)), (2000, (0, 1)), (150, (3, 0))):
            clock = Clock()
            bar = RunProgress(COSTS, niter, start, stream=Terminal(), clock=clock)
            _run(bar, clock, lambda i, n: 0.5, start)
            assert bar.bar.n == bar.bar.total == bar.done


@pytest.mark.slow
def test_a_resumed_tiny_run_finishes_without_tqdm_warnings(tmp_path, capsys):
    class Stop(Exception):
        pass

    def stop_in_scale_two(scale, iteration, *_):
        if (scale, iteration) == (1, 2):
            raise Stop

    torch.manual_seed(0)
    with pytest.raises(Stop):
        train_image(IMAGES / "balloons.png", tiny_config(niter=4), tmp_path / "m.pt", save_every=0,
                    progress_fn=stop_in_scale_two)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = train_image(IMAGES / "balloons.png", tiny_config(niter=4), tmp_path / "m.pt", resume=True)
    assert model.complete
    assert "2 scales, expected training time about " in capsys.readouterr().out
