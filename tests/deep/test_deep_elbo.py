"""The ELBO pieces against closed forms, torch.distributions and Monte Carlo."""

import math

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence

from clusterlab.deep._elbo import (
    LOG_2PI,
    bernoulli_log_likelihood,
    elbo_terms,
    gaussian_kl,
    gaussian_log_likelihood,
    reparameterize,
)
from clusterlab.deep._nets import VAENet
from clusterlab.deep._vade import (
    COMPONENTS,
    FullComponents,
    VaDENet,
    autoencoder_terms,
    log_gaussian_diag,
)


def _gen(seed, device="cpu"):
    return torch.Generator(device=device).manual_seed(seed)


def test_kl_equals_torch_closed_form(device):
    g = _gen(0)
    mean = torch.randn(7, 5, generator=g, dtype=torch.float64).to(device)
    log_var = torch.randn(7, 5, generator=g, dtype=torch.float64).to(device)
    q = Independent(Normal(mean, torch.exp(0.5 * log_var)), 1)
    p = Independent(Normal(torch.zeros_like(mean), torch.ones_like(mean)), 1)
    np.testing.assert_allclose(gaussian_kl(mean, log_var).cpu(), kl_divergence(q, p).cpu(),
                               rtol=1e-12)


def test_kl_matches_monte_carlo():
    g = _gen(1)
    mean = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    log_var = torch.tensor([[-0.5, 0.3, -1.2]], dtype=torch.float64)
    z = reparameterize(mean.expand(200_000, 3), log_var.expand(200_000, 3), g)
    log_q = Normal(mean, torch.exp(0.5 * log_var)).log_prob(z).sum(1)
    log_p = Normal(0.0, 1.0).log_prob(z).sum(1)
    mc = float((log_q - log_p).mean())
    assert mc == pytest.approx(float(gaussian_kl(mean, log_var)[0]), abs=0.02)


def test_reparameterize_moments_and_gradient(device):
    mean = torch.tensor([1.0, -2.0], device=device, requires_grad=True)
    log_var = torch.tensor([0.0, math.log(4.0)], device=device, requires_grad=True)
    z = reparameterize(mean.expand(100_000, 2), log_var.expand(100_000, 2), _gen(2, device))
    np.testing.assert_allclose(z.mean(0).detach().cpu(), [1.0, -2.0], atol=0.03)
    np.testing.assert_allclose(z.var(0).detach().cpu(), [1.0, 4.0], rtol=0.03)
    z.sum().backward()  # dz/dmean = 1: the draw is differentiable
    np.testing.assert_allclose(mean.grad.cpu(), [100_000.0, 100_000.0])


def test_reparameterize_reproducible_from_generator():
    m, lv = torch.zeros(3, 2), torch.zeros(3, 2)
    assert torch.equal(reparameterize(m, lv, _gen(5)), reparameterize(m, lv, _gen(5)))


def test_likelihoods_equal_torch_distributions():
    g = _gen(3)
    x = torch.rand(6, 4, generator=g, dtype=torch.float64).round()
    logits = torch.randn(6, 4, generator=g, dtype=torch.float64)
    expected = Bernoulli(logits=logits).log_prob(x).sum(1)
    np.testing.assert_allclose(bernoulli_log_likelihood(x, logits), expected, rtol=1e-12)
    mean, log_var = torch.randn(6, 4, generator=g), torch.randn(4, generator=g)
    xg = torch.randn(6, 4, generator=g)
    expected = Normal(mean, torch.exp(0.5 * log_var)).log_prob(xg).sum(1)
    np.testing.assert_allclose(gaussian_log_likelihood(xg, mean, log_var), expected, rtol=1e-5)


@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
@torch.no_grad()
def test_reconstruction_term_is_monte_carlo_expectation(likelihood):
    """Averaging elbo_terms' single draws equals an independent MC of E_q[log p(x|z)]."""
    net = VAENet(3, [4], 2, likelihood, _gen(0)).double()
    x = torch.tensor([[0.0, 1.0, 1.0]], dtype=torch.float64)
    n = 100_000
    rec, kl = elbo_terms(net, x.expand(n, 3), _gen(1), likelihood)
    # independent estimate: torch.distributions for q and p(x | z)
    mean, log_var = net.encode(x)
    z = Normal(mean, torch.exp(0.5 * log_var)).sample((n,)).squeeze(1)
    decoded = net.decode(z)
    if likelihood == "bernoulli":
        log_px = Bernoulli(logits=decoded).log_prob(x).sum(1)
    else:
        log_px = Normal(decoded, torch.exp(0.5 * net.log_var_x)).log_prob(x).sum(1)
    se = float(log_px.std()) / math.sqrt(n)
    assert float(rec.mean()) == pytest.approx(float(log_px.mean()), abs=5 * se + 1e-9)
    np.testing.assert_allclose(kl.detach(), gaussian_kl(mean, log_var).expand(n).detach())


def test_log_gaussian_diag_equals_scipy():
    rng = np.random.default_rng(0)
    z, means, log_vars = rng.normal(size=(5, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    out = log_gaussian_diag(*(torch.from_numpy(a) for a in (z, means, log_vars))).numpy()
    for k in range(4):
        expected = multivariate_normal(means[k], np.diag(np.exp(log_vars[k]))).logpdf(z)
        np.testing.assert_allclose(out[:, k], expected, rtol=1e-10)


def test_full_components_log_prob_equals_scipy():
    rng = np.random.default_rng(0)
    z, means = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    a = rng.normal(size=(4, 3, 3))
    covs = a @ a.transpose(0, 2, 1) + 0.5 * np.eye(3)
    comp = FullComponents(4, 3).double()
    comp.set(means, covs)
    out = comp.log_prob(torch.from_numpy(z)).detach().numpy()
    for k in range(4):
        np.testing.assert_allclose(out[:, k], multivariate_normal(means[k], covs[k]).logpdf(z),
                                   rtol=1e-10)
    np.testing.assert_allclose(comp.covariances().detach().numpy(), covs, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", ["diag", "full"])
def test_expected_log_prob_equals_monte_carlo(covariance_type):
    """The closed-form E_q[log N(z | component)] matches an average over draws of z."""
    rng = np.random.default_rng(1)
    comp = COMPONENTS[covariance_type](2, 3).double()
    a = rng.normal(size=(2, 3, 3))
    covs = a @ a.transpose(0, 2, 1) + np.eye(3)
    comp.set(rng.normal(size=(2, 3)),
             covs if covariance_type == "full" else np.diagonal(covs, axis1=1, axis2=2))
    mean, var = torch.from_numpy(rng.normal(size=(1, 3))), torch.from_numpy(rng.random((1, 3)))
    z = mean + var.sqrt() * torch.randn(200_000, 3, generator=_gen(3), dtype=torch.float64)
    with torch.no_grad():
        mc = comp.log_prob(z).mean(dim=0)
        exact = comp.expected_log_prob(mean, var)[0]
    np.testing.assert_allclose(exact.numpy(), mc.numpy(), rtol=2e-3)


@pytest.mark.parametrize("covariance_type", ["diag", "full"])
def test_vade_with_one_standard_component_is_the_vae_elbo(covariance_type):
    """K = 1 with prior N(0, I): VaDE's ELBO reduces exactly to the VAE's."""
    vae = VAENet(5, [6], 3, "bernoulli", _gen(0)).double()
    net = VaDENet(vae, 1, covariance_type).double()
    x = torch.rand(8, 5, generator=_gen(1), dtype=torch.float64)
    out = net.terms(x, _gen(2), "bernoulli")
    rec, kl = elbo_terms(vae, x, _gen(2), "bernoulli")
    np.testing.assert_allclose(out["reconstruction"].detach(), rec.detach(), rtol=1e-12)
    np.testing.assert_allclose(out["kl"].detach(), kl.detach(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("covariance_type", ["diag", "full"])
@torch.no_grad()
def test_vade_kl_term_bounds_the_true_kl_to_the_mixture_prior(covariance_type):
    """VaDE's term (with q(c|x) = p(c|z)) is >= KL(q(z|x) || mixture), by Monte Carlo."""
    vae = VAENet(4, [5], 2, "bernoulli", _gen(0)).double()
    net = VaDENet(vae, 3, covariance_type).double()
    variances = np.array([[1.0, 0.5], [0.3, 1.0], [2.0, 2.0]])
    covariances = variances if covariance_type == "diag" else np.stack(
        [np.diag(v) + [[0.0, 0.2], [0.2, 0.0]] for v in variances])
    net.set_prior([0.2, 0.3, 0.5], [[0.0, 0.0], [1.0, -1.0], [-0.5, 0.5]], covariances)
    net.double()
    x = torch.rand(1, 4, generator=_gen(1), dtype=torch.float64)
    n = 100_000
    vade_kl = float(net.terms(x.expand(n, 4), _gen(2), "bernoulli")["kl"].mean())
    mean, log_var = vae.encode(x)
    z = Normal(mean, torch.exp(0.5 * log_var)).sample((n,)).squeeze(1)
    log_q = Normal(mean, torch.exp(0.5 * log_var)).log_prob(z).sum(1)
    log_prior = torch.logsumexp(net.log_joint(z), dim=1)
    true_kl = float((log_q - log_prior).mean())
    assert vade_kl >= true_kl - 0.02
    assert vade_kl - true_kl < 2.0  # bounded by log K plus MC noise in practice


def test_autoencoder_terms_have_no_kl_and_no_noise():
    vae = VAENet(4, [3], 2, "bernoulli", _gen(0))
    x = torch.rand(5, 4, generator=_gen(1))
    terms = autoencoder_terms(vae, "bernoulli")
    a, b = terms(x, _gen(1)), terms(x, _gen(2))
    assert torch.equal(a["reconstruction"], b["reconstruction"])
    assert float(a["kl"].abs().sum()) == 0.0


@pytest.mark.parametrize("covariance_type", ["diag", "full"])
@torch.no_grad()
def test_start_posterior_variances_minimise_the_kl_for_one_component(covariance_type):
    """With K = 1, the started variances 1 / (Sigma^-1)_jj are where VaDE's KL is least."""
    vae = VAENet(4, [5], 2, "bernoulli", _gen(0)).double()
    net = VaDENet(vae, 1, covariance_type).double()
    cov = np.array([[[2.0, 0.6], [0.6, 0.5]]])
    full = covariance_type == "full"
    net.set_prior([1.0], [[0.3, -0.2]], cov if full else cov[:, [0, 1], [0, 1]])
    net.start_posterior_variances()
    x = torch.rand(3, 4, generator=_gen(1), dtype=torch.float64)
    log_var = vae.encode(x)[1]
    expected = 1.0 / np.diag(np.linalg.inv(cov[0])) if full else cov[0].diagonal()
    np.testing.assert_allclose(torch.exp(log_var).numpy(), np.tile(expected, (3, 1)), rtol=1e-12)
    mean = vae.encode(x)[0]

    def kl(lv):
        return -(net.components.expected_log_prob(mean, torch.exp(lv))[:, 0]
                 + 0.5 * torch.sum(LOG_2PI + 1.0 + lv, dim=1))

    for step in (-0.1, 0.1):
        assert torch.all(kl(log_var + step) > kl(log_var))
