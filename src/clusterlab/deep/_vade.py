"""VaDE (Jiang et al., 2017): a VAE whose prior is a Gaussian mixture.

Generative model: c ~ Cat(pi), z | c ~ N(mu_c, Sigma_c), x | z from the
decoder. With q(z, c | x) = q(z | x) q(c | x) and q(c | x) set to p(c | z) at
a reparameterised draw z, the ELBO is

    E_q[log p(x | z)] - ( E_q[log q(z | x)] + E_q[log q(c | x)]
                          - E_q[log p(z | c)] - E_q[log p(c)] )

where the expectations over z of the Gaussian terms are in closed form. The
bracket plays the role of the VAE's KL term, so the same training loop runs it.

The components' covariances are diagonal (as in the paper) or full; each
structure is a small module in ``COMPONENTS`` with the same methods, so
``VaDENet`` never branches on it.
"""

import numpy as np
import torch
from torch import nn

from clusterlab.deep._elbo import LOG_2PI, log_likelihood, reparameterize


def log_gaussian_diag(z, means, log_vars):
    """log N(z_i | means_k, diag(exp(log_vars_k))) for every (i, k): shape (n, K).

    Examples
    --------
    >>> import torch
    >>> out = log_gaussian_diag(torch.zeros(2, 3), torch.zeros(4, 3), torch.zeros(4, 3))
    >>> out.shape, round(float(out[0, 0]), 4)  # -1.5 * log(2 pi)
    (torch.Size([2, 4]), -2.7568)
    """
    diff = z.unsqueeze(1) - means.unsqueeze(0)
    return -0.5 * torch.sum(LOG_2PI + log_vars + diff.pow(2) * torch.exp(-log_vars), dim=2)


class DiagComponents(nn.Module):
    """K Gaussians with diagonal covariances, as means and log-variances.

    Examples
    --------
    >>> import torch
    >>> comp = DiagComponents(3, 2)
    >>> comp.log_prob(torch.zeros(4, 2)).shape, comp.covariances().shape
    (torch.Size([4, 3]), torch.Size([3, 2]))
    """

    def __init__(self, n_components, dim):
        super().__init__()
        self.means = nn.Parameter(torch.zeros(n_components, dim))
        self.log_vars = nn.Parameter(torch.zeros(n_components, dim))

    def set(self, means, covariances):
        """Copy in means ``(K, d)`` and variances ``(K, d)``."""
        like = {"dtype": self.means.dtype, "device": self.means.device}
        with torch.no_grad():
            self.means.copy_(torch.as_tensor(means, **like))
            self.log_vars.copy_(torch.as_tensor(np.log(np.array(covariances, np.float64)), **like))

    def covariances(self):
        """Variances, shape ``(K, d)``."""
        return torch.exp(self.log_vars)

    def precision_diagonal(self):
        """Diagonal of each precision matrix, shape ``(K, d)``."""
        return torch.exp(-self.log_vars)

    def log_prob(self, z):
        """log N(z_i | component k) for every (i, k): shape (n, K)."""
        return log_gaussian_diag(z, self.means, self.log_vars)

    def expected_log_prob(self, mean, var):
        """E[log N(z | component k)] for z ~ N(mean_i, diag(var_i)): shape (n, K)."""
        return self.log_prob(mean) - 0.5 * var @ self.precision_diagonal().T


class FullComponents(nn.Module):
    """K Gaussians with full covariances, through the Cholesky factors of the precisions.

    ``Sigma_k^-1 = U_k U_k^T`` with ``U_k`` lower triangular and a positive
    (exponentiated) diagonal, so every covariance stays positive definite and
    a log-density needs matrix products only: ``log det Sigma_k = -2 sum log
    diag U_k`` and the Mahalanobis term is ``|U_k^T (z - mu_k)|^2``.

    Examples
    --------
    >>> import torch
    >>> comp = FullComponents(3, 2)
    >>> comp.log_prob(torch.zeros(4, 2)).shape, comp.covariances().shape
    (torch.Size([4, 3]), torch.Size([3, 2, 2]))
    """

    def __init__(self, n_components, dim):
        super().__init__()
        self.means = nn.Parameter(torch.zeros(n_components, dim))
        self.prec_log_diag = nn.Parameter(torch.zeros(n_components, dim))
        self.prec_lower = nn.Parameter(torch.zeros(n_components, dim, dim))
        self.register_buffer("strict_lower", torch.tril(torch.ones(dim, dim), diagonal=-1))

    def set(self, means, covariances):
        """Copy in means ``(K, d)`` and covariance matrices ``(K, d, d)``."""
        prec_chol = np.linalg.cholesky(np.linalg.inv(np.asarray(covariances, dtype=np.float64)))
        like = {"dtype": self.means.dtype, "device": self.means.device}
        with torch.no_grad():
            self.means.copy_(torch.as_tensor(means, **like))
            diag = np.log(np.diagonal(prec_chol, axis1=1, axis2=2))
            self.prec_log_diag.copy_(torch.as_tensor(diag, **like))
            self.prec_lower.copy_(torch.as_tensor(prec_chol, **like) * self.strict_lower)

    def _factor(self):
        return self.prec_lower * self.strict_lower + torch.diag_embed(torch.exp(self.prec_log_diag))

    def covariances(self):
        """Covariance matrices, shape ``(K, d, d)``."""
        return torch.cholesky_inverse(self._factor().double()).to(self.means.dtype)

    def precision_diagonal(self):
        """Diagonal of each precision matrix ``U_k U_k^T``: row sums of ``U_k ** 2``."""
        return self._factor().pow(2).sum(dim=2)

    def _log_prob(self, z, factor):
        diff = z.unsqueeze(1) - self.means.unsqueeze(0)
        maha = torch.einsum("nkd,kde->nke", diff, factor).pow(2).sum(dim=2)
        log_det_prec = 2.0 * self.prec_log_diag.sum(dim=1)
        return -0.5 * (z.shape[1] * LOG_2PI - log_det_prec + maha)

    def log_prob(self, z):
        """log N(z_i | component k) for every (i, k): shape (n, K)."""
        return self._log_prob(z, self._factor())

    def expected_log_prob(self, mean, var):
        """E[log N(z | component k)] for z ~ N(mean_i, diag(var_i)): shape (n, K).

        The extra term is ``-0.5 tr(Sigma_k^-1 diag(var_i))``, and the diagonal
        of ``Sigma_k^-1 = U_k U_k^T`` is the row sums of ``U_k ** 2``.
        """
        factor = self._factor()
        return self._log_prob(mean, factor) - 0.5 * var @ factor.pow(2).sum(dim=2).T


COMPONENTS = {"diag": DiagComponents, "full": FullComponents}


def vade_state_shapes(vae_shapes, n_clusters, latent_dim, covariance_type):
    """Name -> shape of every tensor in a :class:`VaDENet` state dict, without building it.

    Examples
    --------
    >>> vade_state_shapes({}, 3, 2, "full")["components.prec_lower"]
    (3, 2, 2)
    """
    shapes = {f"vae.{k}": v for k, v in vae_shapes.items()}
    shapes["logit_pi"] = (n_clusters,)
    shapes["components.means"] = (n_clusters, latent_dim)
    if covariance_type == "diag":
        shapes["components.log_vars"] = (n_clusters, latent_dim)
    else:
        shapes["components.prec_log_diag"] = (n_clusters, latent_dim)
        shapes["components.prec_lower"] = (n_clusters, latent_dim, latent_dim)
        shapes["components.strict_lower"] = (latent_dim, latent_dim)
    return shapes


class VaDENet(nn.Module):
    """A :class:`~clusterlab.deep._nets.VAENet` plus the mixture prior's parameters.

    Parameters
    ----------
    vae : VAENet
    n_clusters : int
    covariance_type : {"diag", "full"}, default="diag"
        Structure of the prior components' covariances (``COMPONENTS``).

    Examples
    --------
    >>> import torch
    >>> from clusterlab.deep._nets import VAENet
    >>> net = VaDENet(VAENet(5, [4], 2, "bernoulli", torch.Generator().manual_seed(0)), 3)
    >>> net.responsibilities(torch.rand(6, 5)).sum(dim=1).allclose(torch.ones(6))
    True
    """

    def __init__(self, vae, n_clusters, covariance_type="diag"):
        super().__init__()
        self.vae = vae
        self.logit_pi = nn.Parameter(torch.zeros(n_clusters))
        self.components = COMPONENTS[covariance_type](n_clusters, vae.latent_dim)

    def set_prior(self, weights, means, covariances):
        """Initialise the prior (e.g. from a Gaussian mixture fitted to latent means)."""
        with torch.no_grad():
            w = torch.as_tensor(weights, dtype=self.logit_pi.dtype, device=self.logit_pi.device)
            self.logit_pi.copy_(torch.log(w.clamp_min(1e-12)))
        self.components.set(means, covariances)

    def start_posterior_variances(self):
        """Make q(z | x)'s variances start where the prior wants them.

        For one component, the KL term is smallest at ``var_j = 1 /
        (Sigma^-1)_jj``. The encoder's log-variance outputs are set to the log
        of that value averaged (geometrically) over the components, the same
        for every x, so that the first noisy draws of z stay inside their
        cluster: an untrained head gives variances near 1, far wider than
        tight clusters of pretrained codes, and the prior's KL term then
        swamps the first updates and can pull every point into one cluster.
        """
        head = self.vae.head
        d = self.vae.latent_dim
        with torch.no_grad():
            log_var = -torch.log(self.components.precision_diagonal()).mean(dim=0)
            head.weight[d:].zero_()
            head.bias[d:].copy_(log_var)

    def prior(self):
        """(weights, means, covariances) of the mixture prior as tensors."""
        with torch.no_grad():
            return (torch.softmax(self.logit_pi, 0), self.components.means.clone(),
                    self.components.covariances())

    def log_joint(self, z):
        """log p(c) + log p(z | c), shape (n, K)."""
        return torch.log_softmax(self.logit_pi, dim=0) + self.components.log_prob(z)

    def responsibilities(self, x):
        """p(c | z = mean of q(z | x)): the soft cluster assignment, shape (n, K)."""
        return torch.softmax(self.log_joint(self.vae.encode(x)[0]), dim=1)

    def terms(self, x, generator, likelihood):
        """Per-sample reconstruction and "KL" (all non-likelihood ELBO terms)."""
        mean, log_var = self.vae.encode(x)
        z = reparameterize(mean, log_var, generator)
        rec = log_likelihood(x, self.vae.decode(z), likelihood, self.vae.log_var_x)
        log_gamma = torch.log_softmax(self.log_joint(z), dim=1)
        # E_q(z|x)[log p(z | c)] in closed form for each c: (n, K)
        e_log_pzc = self.components.expected_log_prob(mean, torch.exp(log_var))
        log_pi = torch.log_softmax(self.logit_pi, dim=0)
        e_log_q_z = -0.5 * torch.sum(LOG_2PI + 1.0 + log_var, dim=1)
        cross = torch.sum(log_gamma.exp() * (e_log_pzc + log_pi - log_gamma), dim=1)
        return {"reconstruction": rec, "kl": e_log_q_z - cross}


def autoencoder_terms(vae, likelihood):
    """Pretraining objective: log p(x | z = encoder mean), no noise, no KL.

    Examples
    --------
    >>> import torch
    >>> from clusterlab.deep._nets import VAENet
    >>> vae = VAENet(4, [3], 2, "bernoulli", torch.Generator().manual_seed(0))
    >>> out = autoencoder_terms(vae, "bernoulli")(torch.rand(5, 4), None)
    >>> float(out["kl"].abs().sum())
    0.0
    """

    def terms(x, generator):
        mean = vae.encode(x)[0]
        rec = log_likelihood(x, vae.decode(mean), likelihood, vae.log_var_x)
        return {"reconstruction": rec, "kl": torch.zeros_like(rec)}

    return terms

