"""The per-scale networks: generator G_n and patch discriminator D_n.

Both are five "valid" 3x3 convolutions (no padding), so each shrinks its input
by 10 pixels; the caller zero-pads inputs by 5. The generator adds its output
to the (cropped) upsampled image from the coarser scale: it learns a residual.
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .config import TrainConfig


def scale_widths(scale: int, nfc: int, min_nfc: int) -> tuple[int, int]:
    """Channel widths (nfc, min_nfc) at `scale` (0 = coarsest): doubled every 4 scales, at most 128."""
    factor = 2 ** (scale // 4)
    return min(nfc * factor, 128), min(min_nfc * factor, 128)


class ConvBlock(nn.Sequential):
    """conv (with bias) -> BatchNorm -> LeakyReLU(0.2)."""

    def __init__(self, in_channels: int, out_channels: int, ker_size: int, padd_size: int, stride: int = 1):
        super().__init__()
        self.add_module("conv", nn.Conv2d(in_channels, out_channels, ker_size, stride, padd_size))
        self.add_module("norm", nn.BatchNorm2d(out_channels))
        self.add_module("LeakyRelu", nn.LeakyReLU(0.2, inplace=True))

    def fused_forward(self, x: Tensor) -> Tensor:
        """The eval-mode function with BatchNorm folded into the conv (one pass over the activations
        fewer). Same function, other rounding: for sampling a finished model, never for training."""
        conv, norm = self.conv, self.norm
        scale = norm.weight * torch.rsqrt(norm.running_var + norm.eps)
        bias = (conv.bias - norm.running_mean) * scale + norm.bias
        x = F.conv2d(x, conv.weight * scale[:, None, None, None], bias, conv.stride, conv.padding)
        return F.leaky_relu(x, 0.2, inplace=True)


def _trunk(nc_im: int, nfc: int, min_nfc: int, ker_size: int, padd_size: int, num_layer: int):
    """Head and body shared by G and D; returns (head, body, width of the last block)."""
    head = ConvBlock(nc_im, nfc, ker_size, padd_size)
    body = nn.Sequential()
    width = nfc
    for i in range(1, num_layer - 1):
        width = int(nfc / 2**i)
        body.add_module(f"block{i}", ConvBlock(max(2 * width, min_nfc), max(width, min_nfc), ker_size, padd_size))
    return head, body, max(width, min_nfc)


class Generator(nn.Module):
    """G_n: residual generator. forward(noise + prev, prev) -> prev + tanh(convs(noise + prev))."""

    def __init__(self, nc_im: int = 3, nfc: int = 32, min_nfc: int = 32, ker_size: int = 3,
                 padd_size: int = 0, num_layer: int = 5):
        super().__init__()
        self.head, self.body, width = _trunk(nc_im, nfc, min_nfc, ker_size, padd_size, num_layer)
        self.tail = nn.Sequential(nn.Conv2d(width, nc_im, ker_size, 1, padd_size), nn.Tanh())

    def forward(self, x: Tensor, prev: Tensor, fused: bool = False) -> Tensor:
        if fused:
            # Inference on a finished model (eval mode): BatchNorm folded into the convs, channels-last
            # memory (oneDNN's inference convolutions run 1.1-1.8x faster so on the CPU); NCHW output.
            x = x.contiguous(memory_format=torch.channels_last)
            for block in (self.head, *self.body):
                x = block.fused_forward(x)
            x = self.tail(x).contiguous()
        else:
            x = self.tail(self.body(self.head(x)))
        # Centre-crop the padded previous image to the output size (same margin on both axes,
        # computed from the height, as the original does); no clamp after the addition.
        ind = (prev.shape[2] - x.shape[2]) // 2
        return x + prev[:, :, ind:prev.shape[2] - ind, ind:prev.shape[3] - ind]


class Discriminator(nn.Module):
    """D_n: Markovian patch critic; returns a 1-channel score map (receptive field 11x11)."""

    def __init__(self, nc_im: int = 3, nfc: int = 32, min_nfc: int = 32, ker_size: int = 3,
                 padd_size: int = 0, num_layer: int = 5):
        super().__init__()
        self.head, self.body, width = _trunk(nc_im, nfc, min_nfc, ker_size, padd_size, num_layer)
        self.tail = nn.Conv2d(width, 1, ker_size, 1, padd_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.tail(self.body(self.head(x)))


def weights_init(module: nn.Module) -> None:
    """The original init: conv weights ~ N(0, 0.02) (bias untouched), BatchNorm weight ~ N(1, 0.02), bias 0."""
    if isinstance(module, nn.Conv2d):
        module.weight.data.normal_(0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        module.weight.data.normal_(1.0, 0.02)
        module.bias.data.fill_(0)


def _init(net: nn.Module) -> nn.Module:
    net.apply(weights_init)
    return net


def build_generator(config: TrainConfig, scale: int) -> Generator:
    """A freshly initialised G for `scale` (0 = coarsest) of a model trained with `config`."""
    nfc, min_nfc = scale_widths(scale, config.nfc, config.min_nfc)
    return _init(Generator(config.nc_im, nfc, min_nfc, config.ker_size, config.padd_size, config.num_layer))


def build_discriminator(config: TrainConfig, scale: int) -> Discriminator:
    """A freshly initialised D for `scale` (0 = coarsest) of a model trained with `config`."""
    nfc, min_nfc = scale_widths(scale, config.nfc, config.min_nfc)
    return _init(Discriminator(config.nc_im, nfc, min_nfc, config.ker_size, config.padd_size, config.num_layer))


def build_networks(config: TrainConfig, scale: int,
                   device: torch.device | str = "cpu") -> tuple[Generator, Discriminator]:
    """A freshly initialised (G, D) pair for `scale`; RNG order as the original: G built and initialised, then D."""
    netG = build_generator(config, scale)
    netD = build_discriminator(config, scale)
    return netG.to(device), netD.to(device)
