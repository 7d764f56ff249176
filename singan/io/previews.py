"""The previews written during training, per scale: the real image, a fake, the reconstruction, the losses.

`ScalePreviews(folder)` is what `singan.core.training.train` hands them to: it writes
`<folder>/<scale>/real_scale.png`, `fake_sample.png`, `G(z_opt).png` and `losses.png` (matplotlib on
the headless Agg backend).
"""

from pathlib import Path

from torch import Tensor

from .atomic import atomic_path
from .images import save_image


class ScalePreviews:
    """Writes the previews of every scale into numbered folders of `folder` (the model's folder)."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def image(self, scale: int, name: str, image: Tensor) -> None:
        save_image(self.folder / str(scale) / f"{name}.png", image)

    def losses(self, scale: int, losses: dict[str, list[float]]) -> None:
        """One PNG with the critic loss, the adversarial G loss and the reconstruction loss per iteration."""
        import matplotlib  # imported on first use (it takes 0.2-0.4 s), on the headless Agg backend

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
        labels = {"errD": "D loss (-D(real)+D(fake)+GP)", "errG": "G adversarial (-D(fake))",
                  "rec": "alpha * reconstruction MSE"}
        for ax, (key, label) in zip(axes, labels.items()):
            ax.plot(losses.get(key, []), linewidth=0.8)
            ax.set_title(label, fontsize=9)
            ax.set_xlabel("iteration")
        if any(v > 0 for v in losses.get("rec", [])):
            axes[2].set_yscale("log")
        fig.suptitle(f"scale {scale}")
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.16, top=0.8, wspace=0.25)  # tight_layout's, 10x quicker
        try:
            with atomic_path(self.folder / str(scale) / "losses.png") as tmp:
                fig.savefig(tmp, dpi=80)
        finally:
            plt.close(fig)
