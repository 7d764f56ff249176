"""Output folders are distinct per trained model: two models of one image never overwrite each other."""

from helpers import run_script, untrained_model_file
from singan.io import paths

A = paths.trained_model_file("balloons.png", 0.75, 10)
B = paths.trained_model_file("balloons.png", 0.75, 5)


def test_model_name():
    assert paths.model_name(A) == "scale_factor=0.750000,alpha=10"
    assert paths.model_name("elsewhere/my_model.pt") == "my_model"
    assert paths.model_name(paths.trained_model_file("b.png", 0.75, 10, "animation_train")) == \
        "scale_factor=0.750000_noise_padding"


def test_every_output_folder_carries_the_model():
    assert paths.random_samples_dir("Output", "balloons.png", 2, model_file=A).parts == (
        "Output", "RandomSamples", "balloons", "scale_factor=0.750000,alpha=10", "gen_start_scale=2")
    assert paths.random_samples_dir("Output", "balloons.png", 0, 1.0, 2.0, True, model_file=A).parts[1:] == (
        "RandomSamples_ArbitrerySizes", "balloons", "scale_factor=0.750000,alpha=10",
        "scale_v=1.000000_scale_h=2.000000")
    assert paths.application_dir("Output", "Editing", "tree.png", "tree_edit.png", model_file=A).parts[1:] == (
        "Editing", "tree", "scale_factor=0.750000,alpha=10", "tree_edit_out")
    assert paths.sr_dir("Output", 4, model_file=A).parts[1:] == ("SR", "4.0", "scale_factor=0.750000,alpha=10")
    assert paths.animation_file("Output", "balloons.png", 1, 0.1, 0.9, model_file=A).parts[1:] == (
        "Animation", "balloons", "scale_factor=0.750000,alpha=10", "start_scale=1", "alpha=0.100000_beta=0.900000.gif")
    for make in (lambda m: paths.random_samples_dir("Output", "balloons.png", model_file=m),
                 lambda m: paths.random_samples_dir("Output", "balloons.png", 0, 1, 2, True, model_file=m),
                 lambda m: paths.application_dir("Output", "Harmonization", "balloons.png", "x.png", model_file=m),
                 lambda m: paths.sr_dir("Output", 4, model_file=m),
                 lambda m: paths.animation_file("Output", "balloons.png", 0, 0.1, 0.9, model_file=m)):
        assert make(A) != make(B)


def test_two_models_of_one_image_keep_both_sample_sets(tmp_path):
    for alpha, model_file in (("10", A), ("5", B)):
        untrained_model_file(tmp_path / model_file, alpha=float(alpha))
        run_script("random_samples.py", "--input_name", "balloons.png", "--mode", "random_samples", "--alpha", alpha,
                   "--num_samples", "2", "--not_cuda", cwd=tmp_path)
    for model_file in (A, B):
        folder = tmp_path / paths.random_samples_dir("Output", "balloons.png", model_file=model_file)
        assert sorted(p.name for p in folder.iterdir()) == ["0.png", "1.png"]
