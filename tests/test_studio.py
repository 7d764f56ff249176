"""SinGAN Studio in a real browser (Playwright, Debian's chromium): the page driven as a user drives it, its
results compared with the API's for the same seed. The server starts once for the module, in this process;
the training runs in the studio's worker process at a tiny config. Without playwright or chromium the tests
skip with one line saying how to install them."""

import shutil
import socket
import zipfile
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import IMAGES
from singan import apps, generate, load
from singan.core.sampling import seeded
from singan.io.images import read_image, save_image

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "browser tests need playwright and chromium: pip install -r requirements-dev.txt; apt-get install chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason=INSTALL)
if not CHROMIUM.is_file():
    pytest.skip(INSTALL, allow_module_level=True)

PHOTO = "balloons.png"
TINY = {"max_size": "40", "min_size": "25", "niter": "10"}  # 2 scales, seconds on a CPU
WAIT = 240_000  # ms: a training or an upscaling on a loaded 2-core machine


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


@pytest.mark.slow
def test_train_shows_progress_and_previews(studio):
    page, state, root = studio
    for elem_id, value in TINY.items():
        _fill(page, elem_id, value)
    page.set_input_files("#photo input[type=file]", str(root / PHOTO))
    sync_api.expect(page.locator("#plan")).to_contain_text("2 scales from", timeout=60_000)
    page.click("#train")
    sync_api.expect(page.locator("#progress")).to_contain_text("scale", timeout=WAIT)
    sync_api.expect(page.locator("#progress")).to_contain_text("done", timeout=WAIT)
    sync_api.expect(page.locator("#previews img")).to_have_count(2, timeout=30_000)
    model_file = next((root / "models").rglob("model.pt"))
    assert load(model_file).complete and (root / "photos" / PHOTO).is_file()


def _model(root):
    return load(next((root / "models").rglob("model.pt")))


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
    before = page.locator("#samples img").first.get_attribute("src")
    page.locator("#size label", has_text="full").click()
    page.click("#generate")
    sync_api.expect(page.locator("#sample_message")).to_contain_text("2 samples of 186x496", timeout=WAIT)
    sync_api.expect(page.locator("#samples img").first).not_to_have_attribute("src", before)
    shown = _image(page, page.locator("#samples img").first.get_attribute("src"))
    api = generate(_model(root), 2, scale_h=2.0, scale_v=1.0, seed=7, out_size=(186, 496))
    np.testing.assert_array_equal(shown, _png(tmp_path, api[:1]))
