"""The studio's page (Gradio Blocks): the tabs Model, Random samples, Harmonize / Edit, Paint, SR and
animation, laid out here and wired to `handlers.Studio`'s methods (what each button does).
"""

import gradio as gr

from ..core.config import PRESETS
from .handlers import SR, Studio

OUT_HEIGHT = 300  # pixels of an output image on the page (small results are shown enlarged)
CSS = ".enlarge img {width: 100%; height: 100%; object-fit: contain; image-rendering: pixelated}"


def _output(label: str, elem_id: str, **settings) -> gr.Image:
    """An output image (a file by default), small results enlarged to the component's height."""
    return gr.Image(**{"label": label, "elem_id": elem_id, "type": "filepath", "height": OUT_HEIGHT,
                       "elem_classes": "enlarge", **settings})


def _int(value: int | None, label: str, elem_id: str | None = None) -> gr.Number:
    return gr.Number(value, label=label, precision=0, elem_id=elem_id)


def model_tab(studio: Studio) -> gr.Dropdown:
    """The listing (returned: the other tabs' model) and a training: photo, flags, plan, progress, previews."""
    with gr.Tab("Model"):
        gr.Markdown("Choose a trained model, or upload a photo and train one (in another process; stop saves it, "
                    "train again with *resume* to continue).")
        with gr.Row():
            chosen = gr.Dropdown(studio.choices(), label="trained model", elem_id="model", scale=4)
            refresh = gr.Button("Refresh", scale=1)
        with gr.Row():
            photo = gr.File(label="photo to train on", elem_id="photo")
            with gr.Column():
                flags = [gr.Radio(list(PRESETS), value="default", label="preset")]
                with gr.Row():
                    flags += [_int(250, "max_size", "max_size"), _int(25, "min_size", "min_size"),
                              _int(None, "niter (blank: the preset's)", "niter"), _int(1, "seed")]
                with gr.Row():
                    flags += [gr.Radio(["samples and editing", SR], value="samples and editing", label="model for",
                                       elem_id="purpose"),
                              gr.Slider(1.2, 8, 4, step=0.1, label="sr_factor (super-resolution)", elem_id="train_sr")]
                with gr.Row():
                    switches = [gr.Checkbox(label=name, elem_id=name) for name in ("resume", "overwrite")]
        plan = gr.Markdown(elem_id="plan")
        with gr.Row():
            train = gr.Button("Train", variant="primary", elem_id="train")
            stop = gr.Button("Stop (saves)", elem_id="stop")
        progress = gr.Markdown(elem_id="progress")
        previews = gr.Gallery(label="each scale's preview", columns=8, height=220, object_fit="contain",
                              elem_id="previews")
        current = gr.State(None)  # the model file of the training this page follows
    for control in (photo, *flags):
        control.change(studio.plan, [photo, *flags], [plan])
    train.click(studio.start, [photo, *switches, *flags], [plan, current])
    stop.click(studio.halt, [current], [progress])
    gr.Timer(1.0).tick(studio.tick, [current], [progress, previews, chosen, current])
    refresh.click(studio.refresh, None, [plan, chosen])
    return chosen


def samples_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("Random samples"):
        with gr.Row():
            settings = [gr.Slider(0, 20, 0, step=1, label="gen_start_scale", elem_id="gen_start_scale"),
                        gr.Slider(0.25, 4, 1, step=0.25, label="scale_h", elem_id="scale_h"),
                        gr.Slider(0.25, 4, 1, step=0.25, label="scale_v", elem_id="scale_v"),
                        gr.Slider(1, 16, 4, step=1, label="number of samples", elem_id="num_samples"),
                        _int(1, "seed", "sample_seed")]
        with gr.Row():
            settings += [gr.Radio(["train", "full", "custom"], value="train", label="output size", elem_id="size"),
                         gr.Textbox("512x512", label="custom size (HxW)")]
        run = gr.Button("Generate", variant="primary", elem_id="generate")
        message = gr.Markdown(elem_id="sample_message")
        gallery = gr.Gallery(label="samples", columns=4, buttons=["download", "download_all", "fullscreen"],
                             object_fit="contain", height=360, elem_id="samples")
        archive = gr.File(label="all samples (zip)")
    run.click(studio.sample, [chosen, *settings], [message, gallery, archive])


def masked_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("Harmonize / Edit"):
        gr.Markdown("Load the photo, paste an object on it or paint on it; the mask is where it differs from the "
                    "photo (paint on the mask to change it).")
        with gr.Row():
            mode = gr.Radio(["harmonization", "editing"], value="harmonization", label="application", elem_id="mode")
            scale = gr.Slider(1, 20, 1, step=1, label="injection scale", elem_id="injection_scale")
            seed = _int(1, "seed", "masked_seed")
            load = gr.Button("Load the photo", elem_id="load_photo")
        with gr.Row():
            reference = gr.ImageEditor(label="the photo (paint on it)", type="numpy", elem_id="reference",
                                       height=420, brush=gr.Brush(default_size=8), format="png")
            with gr.Column():
                placing = [gr.Image(label="object to paste", type="numpy", image_mode="RGBA", elem_id="object",
                                    height=160),
                           gr.Slider(0, 100, 50, label="x (%)"), gr.Slider(0, 100, 50, label="y (%)"),
                           gr.Slider(5, 100, 30, label="width (% of the photo)")]
                paste = gr.Button("Paste", elem_id="paste")
        with gr.Row():
            make_mask = gr.Button("Mask from the difference", elem_id="make_mask")
            run = gr.Button("Run", variant="primary", elem_id="run_masked")
        message = gr.Markdown(elem_id="masked_message")
        mask = gr.ImageEditor(label="mask (white: changed)", type="numpy", elem_id="mask", height=300, format="png",
                              brush=gr.Brush(colors=["#ffffff", "#000000"], color_mode="fixed", default_size=6))
        with gr.Row():
            results = [_output("naive input", "naive", type="numpy", format="png"),
                       _output("result, training size", "result_small"), _output("result, full size", "result_full")]
    load.click(studio.load_photo, [chosen], [message, reference, scale])
    paste.click(studio.paste, [reference, *placing], [message, reference])
    make_mask.click(studio.difference, [chosen, reference], [message, mask])
    run.click(studio.run_masked, [chosen, reference, mask, mode, scale, seed], [message, *results])


def paint_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("Paint"):
        gr.Markdown("Paint with the photo's own palette (its 5 main colours at the injection scale, as "
                    "--quantization_flag computes them), then generate.")
        with gr.Row():
            scale = gr.Slider(1, 20, 1, step=1, label="paint_start_scale", elem_id="paint_scale")
            quantize = gr.Checkbox(label="quantization_flag (retrains the scale once)", elem_id="quantize")
            seed = _int(1, "seed")
            palette = gr.Button("Palette and canvas", elem_id="palette")
        message = gr.Markdown(elem_id="paint_message")
        with gr.Row():
            canvas = gr.ImageEditor(label="canvas", type="numpy", elem_id="canvas", height=420, format="png")
            result = _output("result", "paint_result", height=420)
        run = gr.Button("Generate", variant="primary", elem_id="paint_run")
    palette.click(studio.canvas, [chosen, scale], [message, canvas])
    run.click(studio.paint, [chosen, canvas, scale, quantize, seed], [message, result])


def sr_animation_tab(studio: Studio, chosen: gr.Dropdown) -> None:
    with gr.Tab("SR and animation"):
        message = gr.Markdown(elem_id="sra_message")
        with gr.Row():
            with gr.Column():
                sr_settings = [gr.Slider(1.2, 8, 2, step=0.1, label="sr_factor", elem_id="sr_factor"), _int(1, "seed")]
                sr = gr.Button("Super-resolve the photo", variant="primary", elem_id="sr_run")
                sr_out = _output("super-resolved", "sr_result")
            with gr.Column():
                settings = [gr.Slider(0, 1, 0.1, label="alpha", elem_id="alpha"),
                            gr.Slider(0, 1, 0.9, label="beta", elem_id="beta"),
                            gr.Slider(0, 20, 1, step=1, label="start scale"),
                            gr.Slider(2, 100, 20, step=1, label="frames"), _int(1, "seed")]
                animate = gr.Button("Animate", variant="primary", elem_id="animate_run")
                gif = _output("animation (GIF)", "gif")
    sr.click(studio.super_resolution, [chosen, *sr_settings], [message, sr_out])
    animate.click(studio.animation, [chosen, *settings], [message, gif])


def build(studio: Studio) -> gr.Blocks:
    """The page."""
    with gr.Blocks(title="SinGAN Studio", analytics_enabled=False) as page:  # nothing leaves this machine
        gr.Markdown("# SinGAN Studio\nOne photo, one generative model: train it, sample it, edit it.")
        chosen = model_tab(studio)
        for tab in (samples_tab, masked_tab, paint_tab, sr_animation_tab):
            tab(studio, chosen)
    return page
