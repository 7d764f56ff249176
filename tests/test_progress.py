"""The run's progress bar counts work, not iterations, and starts where a resumed run left off."""

from singan.progress import RunProgress, scale_costs


def test_costs_weigh_pixels_and_width():
    assert scale_costs([(10, 10), (20, 20)], [32, 64]) == [100 * 32 * 32, 400 * 64 * 64]


def test_bar_is_weighted_and_resumes_part_way(capsys):
    bar = RunProgress([1.0, 4.0], niter=10, start=(1, 5))
    assert bar.bar.total == 50 and bar.bar.n == 10 + 5 * 4  # scale 0 done, half of scale 1
    bar.start_scale(1, (20, 20))
    bar.step(5, {"errD": 0.5})
    assert bar.bar.n == 34 and "iteration 6/10 errD=0.5" in bar.bar.postfix
    assert "scale 2/2 (20x20)" in bar.bar.desc
    bar.close()
    assert "scale 2/2 (20x20)" in capsys.readouterr().err
