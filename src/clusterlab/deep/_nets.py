"""The networks: a ReLU MLP encoder to (mean, log-variance) and a mirrored decoder.

Weights are initialised from an explicit ``torch.Generator`` (never torch's
global RNG), with PyTorch's default ``nn.Linear`` distribution
U(-1/sqrt(fan_in), 1/sqrt(fan_in)), so a seed gives the same network
whatever else the process has drawn.
"""

import math

import torch
from torch import nn


def _init_linear(layer, generator):
    bound = 1.0 / math.sqrt(layer.in_features)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)


def mlp(sizes, generator, *, final_activation=False):
    """A ReLU MLP through ``sizes`` (the last layer linear unless asked).

    Examples
    --------
    >>> import torch
    >>> net = mlp([4, 3, 2], torch.Generator().manual_seed(0))
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 2])
    """
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        linear = nn.Linear(a, b)
        _init_linear(linear, generator)
        layers.append(linear)
        if i < len(sizes) - 2 or final_activation:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _mlp_shapes(prefix, sizes, final_activation):
    """State-dict shapes of :func:`mlp` (a ReLU follows every Linear but maybe the last)."""
    out = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        out[f"{prefix}.{2 * i}.weight"] = (b, a)
        out[f"{prefix}.{2 * i}.bias"] = (b,)
    return out


def vae_state_shapes(input_dim, hidden, latent_dim, likelihood):
    """Name -> shape of every tensor in a :class:`VAENet` state dict, without building it.

    Model files check stored weights against these shapes before a network is
    allocated.

    Examples
    --------
    >>> shapes = vae_state_shapes(6, [4], 2, "gaussian")
    >>> shapes["body.0.weight"], shapes["head.weight"], shapes["log_var_x"]
    ((4, 6), (4, 4), (6,))
    """
    hidden = list(hidden)
    width = hidden[-1] if hidden else input_dim
    shapes = _mlp_shapes("body", [input_dim, *hidden], True)
    shapes["head.weight"] = (2 * latent_dim, width)
    shapes["head.bias"] = (2 * latent_dim,)
    shapes.update(_mlp_shapes("decoder", [latent_dim, *hidden[::-1], input_dim], False))
    if likelihood == "gaussian":
        shapes["log_var_x"] = (input_dim,)
    return shapes


class VAENet(nn.Module):
    """Encoder x -> (mean, log_var) of q(z | x) and decoder z -> p(x | z).

    The decoder outputs logits (Bernoulli) or means (Gaussian); the Gaussian
    likelihood has one learned log-variance per feature, ``log_var_x``.

    Parameters
    ----------
    input_dim : int
    hidden : list of int
        Encoder hidden widths; the decoder mirrors them.
    latent_dim : int
    likelihood : {"bernoulli", "gaussian"}
    generator : torch.Generator
        CPU generator for the initial weights.

    Examples
    --------
    >>> import torch
    >>> net = VAENet(6, [4], 2, "gaussian", torch.Generator().manual_seed(0))
    >>> mean, log_var = net.encode(torch.zeros(3, 6))
    >>> net.decode(mean).shape
    torch.Size([3, 6])
    """

    def __init__(self, input_dim, hidden, latent_dim, likelihood, generator):
        super().__init__()
        hidden = list(hidden)
        self.body = mlp([input_dim, *hidden], generator, final_activation=True)
        width = hidden[-1] if hidden else input_dim
        # mean and log-variance heads in one layer: one matmul instead of two
        self.head = nn.Linear(width, 2 * latent_dim)
        _init_linear(self.head, generator)
        self.decoder = mlp([latent_dim, *hidden[::-1], input_dim], generator)
        self.latent_dim = latent_dim
        if likelihood == "gaussian":
            self.log_var_x = nn.Parameter(torch.zeros(input_dim))
        else:
            self.log_var_x = None

    def encode(self, x):
        mean, log_var = self.head(self.body(x)).chunk(2, dim=1)
        return mean, log_var

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.encode(x)[0]
