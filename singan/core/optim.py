"""Adam as PyTorch 1.4 computed it, with its step writing through `p.data`.

SinGAN's generator steps 2..Gsteps back-propagate through the graph of a fake
image that was built before the first step. PyTorch 1.4's Adam updated the
weights through `p.data`, which autograd does not track, so those backward
passes ran with the updated weights and the stale saved activations; current
Adam raises an in-place-modification error instead. `LegacyAdam` restores the
1.4 update, operation for operation, so seeded runs land on the same weights:

    m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
    p <- p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)

With `capturable=True` (CUDA graphs) the step count and learning rate live on
the device, so one captured step replays correctly; the same formula, with the
bias corrections computed in float32 on the device.
"""

import math
from collections.abc import Iterable

import torch
from torch import Tensor


class LegacyAdam(torch.optim.Optimizer):
    """Adam (no weight decay, no amsgrad) with PyTorch 1.4's update through `p.data`."""

    def __init__(self, params: Iterable[Tensor], lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, capturable: bool = False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, capturable=capturable))

    @torch.no_grad()
    def step(self) -> None:  # type: ignore[override]
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, group)

    def _update(self, p: Tensor, group: dict) -> None:
        state = self.state[p]
        if not state:
            state["step"] = torch.zeros((), device=p.device) if group["capturable"] else 0
            state["exp_avg"] = torch.zeros_like(p.data)
            state["exp_avg_sq"] = torch.zeros_like(p.data)
        beta1, beta2 = group["betas"]
        exp_avg, exp_avg_sq, grad = state["exp_avg"], state["exp_avg_sq"], p.grad.data
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        if group["capturable"]:  # device tensors only: no host synchronisation inside a CUDA graph
            state["step"] += 1
            denom = (exp_avg_sq.sqrt() / (1 - beta2 ** state["step"]).sqrt()).add_(group["eps"])
            p.data.sub_(group["lr"] / (1 - beta1 ** state["step"]) * exp_avg / denom)
            return
        state["step"] = int(state["step"]) + 1
        bias_correction1 = 1 - beta1 ** state["step"]
        bias_correction2 = 1 - beta2 ** state["step"]
        denom = (exp_avg_sq.sqrt() / math.sqrt(bias_correction2)).add_(group["eps"])
        p.data.addcdiv_(exp_avg, denom, value=-float(group["lr"]) / bias_correction1)

    def set_lr(self, lr: float) -> None:
        """Set the learning rate in place (a device tensor stays the same tensor, as a graph needs)."""
        for group in self.param_groups:
            if isinstance(group["lr"], Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr

    def make_capturable(self, capturable: bool) -> None:
        """Move a loaded state to the layout of a CUDA-graph run, or back (a run may resume elsewhere)."""
        for group in self.param_groups:
            group["capturable"] = capturable
            device = group["params"][0].device
            lr = float(group["lr"])
            group["lr"] = torch.tensor(lr, dtype=torch.float64, device=device) if capturable else lr
            for p in group["params"]:
                state = self.state.get(p)
                if state and "step" in state:
                    step = int(state["step"])
                    state["step"] = torch.tensor(float(step), device=p.device) if capturable else step
