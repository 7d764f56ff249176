"""SinGAN Studio in a real browser (Playwright, Debian's chromium): the page driven as a user drives it, its
results compared with the API's for the same seed. The server starts once for the module, in this process;
the training runs in the studio's worker process at a tiny config. Without playwright or chromium the tests
skip with one line saying how to install them."""

import os
import re
import shutil
import socket
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import IMAGES
from singan import generate, load
from singan.apps import injection, references, sr
from singan.core.sampling import seeded
from singan.io import checkpoint, paths
from singan.io.images import read_image, save_image
from singan.io.lock import model_lock
from singan.studio import handlers

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "browser tests need playwright and chromium: pip install -r requirements-dev.txt; apt-get install chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason=INSTALL)
if not CHROMIUM.is_file():
    pytest.skip(INSTALL, allow_module_level=True)

PHOTO = "balloons.png"
TINY = {"max_size": "40", "min_size": "25", "niter": "10"}  # 2 scales, seconds on a CPU
SHOTS = os.environ.get("STUDIO_SCREENSHOTS")  # a folder: each tab's screenshot is saved there (docs/studio_*.png)
NOT_YET = pytest.mark.skip(reason="not passing yet: after Mask from the difference the mask editor's value does "
                                  "not reach the Run handler (issue 35 follow-up)")
LONG = "20000"  # iterations per scale that no machine finishes before the stop button is clicked
WAIT = int(os.environ.get("STUDIO_WAIT", 240_000))  # ms: a training or an upscaling on a loaded 2-core machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    """The studio's server (folders of its own) and a browser page on it."""
    from singan.studio import server

    root = tmp_path_factory.mktemp("studio")
    shutil.copy(IMAGES / PHOTO, root / PHOTO)  # the upload
    args = server.get_parser().parse_args(["--models_dir", str(root / "models"), "--input_dir", str(root / "photos"),
                                           "--device", "cpu", "--port", str(_free_port())])
    page_app, state, address = server.serve(args, block=False)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(address)
        page.wait_for_selector("#train")
        yield page, state, root
        browser.close()
    server.stop(page_app, state)


def _tab(page, name):
    page.get_by_role("tab", name=name).click()


def _fill(page, elem_id, value):
    box = page.locator(f"#{elem_id} input").first
    box.fill(str(value))
    box.press("Enter")


def _image(page, src):
    """The pixels of an image the page shows, fetched from the server as the browser fetches it."""
    body = page.request.get(src if src.startswith("http") else page.url.rstrip("/") + src).body()
    return np.asarray(Image.open(BytesIO(body)).convert("RGB"))


def _shot(page, name):
    if SHOTS:  # the page's own scroll area: a viewport tall enough for the whole tab
        page.set_viewport_size({"width": 1400, "height": 1800})
        page.wait_for_timeout(1000)
        page.wait_for_function("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
                               timeout=30_000)
        path = Path(SHOTS) / f"studio_{name}.png"
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size({"width": 1400, "height": 1000})
        shot = np.asarray(Image.open(path).convert("L"))
        used = np.nonzero((shot < 250).any(axis=1))[0]  # the empty page below the tab cut off
        Image.open(path).crop((0, 0, shot.shape[1], min(shot.shape[0], used[-1] + 20))).save(path)


def _png(tmp_path, x):
    save_image(tmp_path / "api.png", x)
    return np.asarray(Image.open(tmp_path / "api.png").convert("RGB"))


def test_non_image_upload_is_a_message(studio, tmp_path):
    page, state, root = studio
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    page.set_input_files("#photo input[type=file]", str(bad))
    sync_api.expect(page.locator("#plan")).to_contain_text("notes.png is not an image", timeout=30_000)
    assert not (root / "photos").exists() and not (root / "models").exists()  # nothing written
    page.locator("#photo button[aria-label='Clear']").first.click()


def _model_file(root):
    """The model the page trains (the paint test adds a retrained scale elsewhere in the folder)."""
    return root / "models" / "balloons" / "scale_factor=0.750000,alpha=10" / "model.pt"


def _saved_position(root):
    state = checkpoint.read_state(_model_file(root))
    return len(state["scales"]), state["resume"]["in_progress"]["iteration"]


def _stop(page):
    sync_api.expect(page.locator("#progress")).to_contain_text("training: ", timeout=WAIT)
    page.click("#stop")
    sync_api.expect(page.locator("#progress")).to_contain_text("stopped", timeout=WAIT)


@pytest.mark.slow
def test_stop_saves_and_resume_continues(studio):
    page, state, root = studio
    for elem_id, value in {**TINY, "niter": LONG}.items():
        _fill(page, elem_id, value)
    page.set_input_files("#photo input[type=file]", str(root / PHOTO))
    sync_api.expect(page.locator("#plan")).to_contain_text("2 scales from 25x34 to 30x40", timeout=60_000)
    page.click("#train")
    _stop(page)
    first = _saved_position(root)
    page.locator("#resume input").check()
    page.click("#train")
    _stop(page)
    assert _saved_position(root) > first  # continued from where it stopped, not from the start
    page.locator("#resume input").uncheck()


@pytest.mark.slow
def test_train_shows_progress_and_previews(studio):
    page, state, root = studio
    _fill(page, "niter", TINY["niter"])
    page.locator("#overwrite input").check()
    page.click("#train")
    sync_api.expect(page.locator("#progress")).to_contain_text("scale", timeout=WAIT)
    sync_api.expect(page.locator("#progress")).to_contain_text("done", timeout=WAIT)
    sync_api.expect(page.locator("#previews img")).to_have_count(2, timeout=30_000)
    model_file = _model_file(root)
    assert load(model_file).complete and (root / "photos" / PHOTO).is_file()
    _shot(page, "model")


def _model(root):
    return load(_model_file(root))


@pytest.mark.slow
def test_samples_equal_the_api(studio, tmp_path):
    page, state, root = studio
    _tab(page, "Random samples")
    for elem_id, value in {"scale_h": 2, "scale_v": 1, "num_samples": 2, "sample_seed": 7}.items():
        _fill(page, elem_id, value)
    page.click("#generate")
    sync_api.expect(page.locator("#sample_message")).to_contain_text("2 samples", timeout=WAIT)
    shown = _image(page, page.locator("#samples img").first.get_attribute("src"))
    api = generate(_model(root), 2, scale_h=2.0, scale_v=1.0, seed=7)
    assert shown.shape == (30, 80, 3)  # 2x1 of the 30x40 training size
    np.testing.assert_array_equal(shown, _png(tmp_path, api[:1]))
    _shot(page, "samples")
    before = page.locator("#samples img").first.get_attribute("src")
    page.locator("#size label", has_text="full").click()
    page.click("#generate")
    sync_api.expect(page.locator("#sample_message")).to_contain_text("2 samples of 186x496", timeout=WAIT)
    sync_api.expect(page.locator("#samples img").first).not_to_have_attribute("src", before)
    shown = _image(page, page.locator("#samples img").first.get_attribute("src"))
    api = generate(_model(root), 2, scale_h=2.0, scale_v=1.0, seed=7, out_size=(186, 496),
                   photo=read_image(IMAGES / PHOTO))
    np.testing.assert_array_equal(shown, _png(tmp_path, api[:1]))


@pytest.mark.slow
def test_a_model_trained_elsewhere_is_busy(studio):
    """While a command-line training holds the model's lock the listing says busy and sampling is refused."""
    page, state, root = studio
    model_file = _model_file(root)
    _tab(page, "Model")
    with model_lock(model_file):
        page.get_by_role("button", name="Refresh").click()
        sync_api.expect(page.locator("#model input")).to_have_value(re.compile(r"\(busy\)$"), timeout=30_000)
        _tab(page, "Random samples")
        page.click("#generate")
        sync_api.expect(page.locator("#sample_message")).to_contain_text("is being trained by process",
                                                                          timeout=30_000)
    _tab(page, "Model")
    page.get_by_role("button", name="Refresh").click()
    sync_api.expect(page.locator("#model input")).to_have_value(re.compile(r"\(trained\)$"), timeout=30_000)


def _stroke(page, elem_id):
    """Drag the brush across the middle of an image editor's canvas."""
    page.locator(f"#{elem_id} button[aria-label='Brush']").first.click()
    box = page.locator(f"#{elem_id} canvas").first.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, y + 10, steps=12)
    page.mouse.up()


def _masked_run(page, tmp_path, root, mode):
    """Make the mask from the difference, run, and compare with injection.masked_injection on the same inputs."""
    page.click("#make_mask")
    sync_api.expect(page.locator("#mask canvas").first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)
    page.locator("#mode label", has_text=mode).click()
    page.click("#run_masked")
    sync_api.expect(page.locator("#masked_message")).to_contain_text(f"{mode} at scale 1", timeout=WAIT)
    naive = _image(page, page.locator("#naive img").first.get_attribute("src"))
    small = _image(page, page.locator("#result_small img").first.get_attribute("src"))
    full = _image(page, page.locator("#result_full img").first.get_attribute("src"))
    assert naive.shape == full.shape == (186, 248, 3) and small.shape == (30, 40, 3)
    model, photo = _model(root), root / "photos" / PHOTO
    ref_full = read_image(Path(save_png(tmp_path, naive)))
    mask_full = references.difference_mask(read_image(photo), ref_full)
    real = references.training_image(photo, model)
    ref, mask = (references.to_size(x, (30, 40)) for x in (ref_full, mask_full))
    with seeded(model.device, 1):
        _, api_small = injection.masked_injection(model, real, ref, mask, 1, handlers.RADIUS[mode])
    assert np.abs(small.astype(int) - _png(tmp_path, api_small).astype(int)).max() <= 1
    assert np.abs(full.astype(int) - naive.astype(int)).max() > 10  # the masked region changed
    return naive, full


def save_png(tmp_path, array):
    path = tmp_path / "page.png"
    Image.fromarray(array).save(path)
    return path


@pytest.mark.slow
def test_paste_an_object_and_harmonize(studio, tmp_path):
    page, state, root = studio
    _tab(page, "Harmonize / Edit")
    page.click("#load_photo")
    sync_api.expect(page.locator("#reference canvas").first).to_be_visible(timeout=60_000)
    page.wait_for_timeout(1500)
    page.click("#make_mask")  # nothing pasted yet: a message, no mask
    sync_api.expect(page.locator("#masked_message")).to_contain_text("does not differ from the training image",
                                                                     timeout=60_000)
    obj = np.zeros((40, 40, 4), np.uint8)
    obj[..., 1], obj[5:35, 5:35, 3] = 220, 255  # a green square, transparent around it
    Image.fromarray(obj).save(tmp_path / "object.png")
    page.set_input_files("#object input[type=file]", str(tmp_path / "object.png"))
    page.wait_for_timeout(1500)
    page.click("#paste")
    page.wait_for_timeout(1500)
    naive, full = _masked_run(page, tmp_path, root, "harmonization")
    assert (naive[..., 1] == 220).sum() > 1000  # the pasted square is in the naive input
    outside = (np.abs(naive.astype(int) - np.asarray(Image.open(root / "photos" / PHOTO).convert("RGB"))).max(-1) == 0)
    assert outside.mean() > 0.5
    _shot(page, "harmonize")


@pytest.mark.slow
def test_paint_a_stroke_and_edit(studio, tmp_path):
    page, state, root = studio
    _tab(page, "Harmonize / Edit")
    page.click("#load_photo")
    page.wait_for_timeout(2000)
    _stroke(page, "reference")
    _masked_run(page, tmp_path, root, "editing")


@pytest.mark.slow
def test_paint_to_image_and_sr_and_animation(studio, tmp_path):
    page, state, root = studio
    _tab(page, "Paint")
    page.click("#palette")
    sync_api.expect(page.locator("#paint_message")).to_contain_text("palette: #", timeout=WAIT)
    page.wait_for_timeout(1500)
    _stroke(page, "canvas")
    page.click("#paint_run")
    sync_api.expect(page.locator("#paint_result img")).to_have_count(1, timeout=WAIT)
    plain = page.locator("#paint_result img").first.get_attribute("src")
    assert _image(page, plain).shape == (30, 40, 3)
    _shot(page, "paint")
    page.locator("#quantize input").check()  # scale 1 retrained on quantised inputs, kept where paint2image keeps it
    page.click("#paint_run")
    sync_api.expect(page.locator("#paint_result img").first).not_to_have_attribute("src", plain, timeout=WAIT)
    assert _image(page, page.locator("#paint_result img").first.get_attribute("src")).shape == (30, 40, 3)
    assert (root / "models" / "balloons" / "scale_factor=0.750000_paint" / "start_scale=1" / "model.pt").is_file()
    assert list(state.choices()) == [("balloons/scale_factor=0.750000,alpha=10 (trained)",
                                      "balloons/scale_factor=0.750000,alpha=10")]  # not listed
    _tab(page, "SR and animation")
    page.click("#sr_run")
    page.click("#animate_run")
    sync_api.expect(page.locator("#sr_result img")).to_have_count(1, timeout=WAIT)
    sync_api.expect(page.locator("#gif img")).to_have_count(1, timeout=WAIT)
    shown = _image(page, page.locator("#sr_result img").first.get_attribute("src"))
    with seeded(torch.device("cpu"), 1):
        api = sr.super_resolve(_model(root), 2.0, (372, 496), progress=False)  # twice the photo's 186x248
    np.testing.assert_array_equal(shown, _png(tmp_path, api))
    _shot(page, "sr_animation")


@pytest.mark.slow
def test_train_a_super_resolution_model_and_super_resolve(studio, tmp_path):
    """Trained as SR.py trains (its pyramid, --alpha 100), the model brings the photo up as SR.py would."""
    page, state, root = studio
    _tab(page, "Model")
    page.locator("#purpose label", has_text="super-resolution").click()
    _fill(page, "train_sr", 2)
    _fill(page, "min_size", 18)
    sync_api.expect(page.locator("#plan")).to_contain_text("5 scales from 18x24 to 30x40", timeout=60_000)
    page.locator("#overwrite input").uncheck()
    page.click("#train")  # (the progress line may still say the last training's "done" for a moment)
    model_file = paths.trained_model_file(PHOTO, 1 / sr.sr_chain(2.0)[0], 100.0, root=root / "models",
                                          sr_factor=2.0)
    sync_api.expect(page.locator("#model input")).to_have_value(f"{model_file.parent.relative_to(root / 'models')} "
                                                                "(trained)", timeout=WAIT)  # chosen once done
    sync_api.expect(page.locator("#progress")).to_contain_text("done", timeout=WAIT)
    _tab(page, "SR and animation")
    before = page.locator("#sr_result img").first.get_attribute("src")
    page.click("#sr_run")
    sync_api.expect(page.locator("#sr_result img").first).not_to_have_attribute("src", before, timeout=WAIT)
    shown = _image(page, page.locator("#sr_result img").first.get_attribute("src"))
    with seeded(torch.device("cpu"), 1):
        api = sr.super_resolve(load(model_file), 2.0, (372, 496), progress=False)
    np.testing.assert_array_equal(shown, _png(tmp_path, api))
