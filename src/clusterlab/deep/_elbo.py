"""The ELBO, written once: reparameterisation, closed-form KL, likelihoods.

Every quantity is per sample (summed over features / latent dimensions) and
in nats, so that means over a batch are "nats per sample". The VAE, VaDE and
the benchmark's evaluation all use these functions.
"""

import math

import torch
import torch.nn.functional as F

LOG_2PI = math.log(2.0 * math.pi)


def reparameterize(mean, log_var, generator=None):
    """Draw ``z = mean + exp(log_var / 2) * eps`` with ``eps ~ N(0, I)``.

    Parameters
    ----------
    mean, log_var : torch.Tensor of shape (n, d)
        Mean and log-variance of the diagonal Gaussian q(z | x).
    generator : torch.Generator, optional
        Source of ``eps`` (on the tensors' device), for reproducible draws.

    Returns
    -------
    torch.Tensor of shape (n, d)
        A sample that is differentiable in ``mean`` and ``log_var``.

    Examples
    --------
    >>> import torch
    >>> z = reparameterize(torch.zeros(2, 3), torch.full((2, 3), -1e4))
    >>> float(z.abs().max())
    0.0
    """
    eps = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
    return mean + torch.exp(0.5 * log_var) * eps


def gaussian_kl(mean, log_var):
    """Closed-form KL(N(mean, diag(exp(log_var))) || N(0, I)) per sample.

    Parameters
    ----------
    mean, log_var : torch.Tensor of shape (n, d)

    Returns
    -------
    torch.Tensor of shape (n,)
        ``0.5 * sum(mean**2 + exp(log_var) - 1 - log_var)`` over dimensions.

    Examples
    --------
    >>> import torch
    >>> float(gaussian_kl(torch.zeros(1, 4), torch.zeros(1, 4))[0])
    0.0
    """
    return 0.5 * torch.sum(mean.pow(2) + torch.exp(log_var) - 1.0 - log_var, dim=1)


def bernoulli_log_likelihood(x, logits):
    """log p(x | logits) of independent Bernoullis, summed over features.

    ``x`` may be any value in [0, 1] (the usual "continuous Bernoulli-like"
    treatment of grey levels); the value is ``-BCE(x, sigmoid(logits))``,
    computed from the logits for stability.

    Examples
    --------
    >>> import torch
    >>> ll = bernoulli_log_likelihood(torch.ones(1, 2), torch.zeros(1, 2))
    >>> round(float(ll[0]), 4)  # 2 * log(0.5)
    -1.3863
    """
    return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)


def gaussian_log_likelihood(x, mean, log_var):
    """log N(x | mean, diag(exp(log_var))), summed over features.

    ``log_var`` broadcasts: the VAE uses one learned variance per feature.

    Examples
    --------
    >>> import torch
    >>> ll = gaussian_log_likelihood(torch.zeros(1, 1), torch.zeros(1, 1), torch.zeros(1))
    >>> round(float(ll[0]), 4)  # -0.5 * log(2 pi)
    -0.9189
    """
    sq = (x - mean).pow(2) * torch.exp(-log_var)
    return -0.5 * torch.sum(sq + log_var + LOG_2PI, dim=1)


def log_likelihood(x, decoded, likelihood, log_var=None):
    """Dispatch to the Bernoulli (``decoded`` = logits) or Gaussian likelihood.

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 2)
    >>> bool(log_likelihood(x, torch.zeros(1, 2), "bernoulli") < 0)
    True
    """
    if likelihood == "bernoulli":
        return bernoulli_log_likelihood(x, decoded)
    return gaussian_log_likelihood(x, decoded, log_var)


def elbo_terms(net, x, generator=None, likelihood="bernoulli"):
    """Single-sample estimates of the two ELBO terms for each row of ``x``.

    Parameters
    ----------
    net : clusterlab.deep._nets.VAENet
        Has ``encode(x) -> (mean, log_var)``, ``decode(z)`` and ``log_var_x``.
    x : torch.Tensor of shape (n, p)
    generator : torch.Generator, optional
    likelihood : {"bernoulli", "gaussian"}

    Returns
    -------
    reconstruction : torch.Tensor of shape (n,)
        ``log p(x | z)`` at one reparameterised draw ``z ~ q(z | x)``.
    kl : torch.Tensor of shape (n,)
        ``KL(q(z | x) || N(0, I))`` in closed form.
        The ELBO is ``reconstruction - kl``.

    Examples
    --------
    >>> import torch
    >>> from clusterlab.deep._nets import VAENet
    >>> net = VAENet(4, [3], 2, "bernoulli", torch.Generator().manual_seed(0))
    >>> rec, kl = elbo_terms(net, torch.rand(5, 4, generator=torch.Generator().manual_seed(1)))
    >>> rec.shape, bool((kl >= 0).all())
    (torch.Size([5]), True)
    """
    mean, log_var = net.encode(x)
    z = reparameterize(mean, log_var, generator)
    reconstruction = log_likelihood(x, net.decode(z), likelihood, net.log_var_x)
    return reconstruction, gaussian_kl(mean, log_var)


def vae_terms(net, likelihood):
    """The training loop's ``terms(x, generator)`` for a VAE: the two ELBO terms.

    Examples
    --------
    >>> from clusterlab.deep._nets import VAENet
    >>> net = VAENet(4, [3], 2, "bernoulli", torch.Generator().manual_seed(0))
    >>> sorted(vae_terms(net, "bernoulli")(torch.rand(5, 4), None))
    ['kl', 'reconstruction']
    """

    def terms(x, generator):
        rec, kl = elbo_terms(net, x, generator, likelihood)
        return {"reconstruction": rec, "kl": kl}

    return terms
