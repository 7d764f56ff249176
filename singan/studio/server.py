"""`singan-studio` / `python -m singan.studio`: serve the studio's page on this machine.

    singan-studio --models_dir TrainedModels --input_dir input/images --port 7860

Binds 127.0.0.1 unless --host names another address (then it says, in one line, that anyone who can reach
the port can use the studio); prints the address; Ctrl-C stops the trainings it started (each saves, as the
command line's Ctrl-C does) and the server.
"""

import time
from pathlib import Path

from ..api import device_of
from ..cli import program as cli
from ..cli.flags import add_run_flags, note_rules
from ..core.config import between, check_value
from ..runtime.interrupt import defer_startup

LOCAL = "127.0.0.1"
PORT = between(1, 65535, integer=True)


def get_parser() -> cli.ArgumentParser:
    """--port, --host and the commands' runtime flags (--models_dir, --input_dir, --device, --not_cuda)."""
    p = cli.ArgumentParser(prog="singan-studio",
                           description="SinGAN Studio: train, sample, edit and harmonize a photo in the browser.")
    add_run_flags(p, seed_flag=False)
    p.add_argument("--port", type=int, default=7860, help="port of the page")
    p.add_argument("--host", type=str, default=LOCAL, help="address to listen on (another than 127.0.0.1 lets others "
                                                           "use it)")
    note_rules(p, {"port": PORT})
    return p


def serve(args, block: bool = True):
    """Start the page for `args`; with `block`, until Ctrl-C. Returns (page, studio, address)."""
    from .app import CSS, build
    from .handlers import Studio
    from .models import MAX_UPLOAD_BYTES

    check_value("port", args.port, PORT)
    device = str(device_of(cli.device_name(args)))  # checked before serving
    studio = Studio(Path(args.models_dir), Path(args.input_dir), device)
    page = build(studio)
    page.launch(server_name=args.host, server_port=args.port, prevent_thread_lock=True, quiet=True,
                max_file_size=MAX_UPLOAD_BYTES, footer_links=[], css=CSS)
    address = f"http://{args.host}:{args.port}"
    try:  # from the first line on: a Ctrl-C as soon as the address shows still stops cleanly
        if args.host != LOCAL:
            print(f"note: listening on {args.host}: anyone who can reach port {args.port} can use this studio")
        print(f"SinGAN Studio: {address}", flush=True)
        while block:
            time.sleep(1)
    except KeyboardInterrupt:
        stop(page, studio)
        print("SinGAN Studio stopped")
    return page, studio, address


def stop(page, studio) -> None:
    """Stop the trainings the studio started (each saves its model), then the server."""
    for training in studio.trainings.values():
        training.stop()
    for training in studio.trainings.values():
        training.process.wait()
    page.close()


def run(argv: list[str] | None = None) -> None:
    """The console command."""
    defer_startup()
    cli.run(serve, get_parser(), argv)
