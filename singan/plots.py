"""Matplotlib figures written during training (headless: the Agg backend)."""

from pathlib import Path

from .outputs import atomic_path


def _pyplot():
    """matplotlib.pyplot on the headless Agg backend, imported on first use (it takes 0.2-0.4 s)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_losses(losses: dict[str, list[float]], path: Path, title: str = "") -> None:
    """One PNG with the critic loss, the adversarial G loss and the reconstruction loss per iteration."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
    labels = {"errD": "D loss (-D(real)+D(fake)+GP)", "errG": "G adversarial (-D(fake))",
              "rec": "alpha * reconstruction MSE"}
    for ax, (key, label) in zip(axes, labels.items()):
        ax.plot(losses.get(key, []), linewidth=0.8)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("iteration")
    if any(v > 0 for v in losses.get("rec", [])):
        axes[2].set_yscale("log")
    fig.suptitle(title)
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=80)
    finally:
        plt.close(fig)
