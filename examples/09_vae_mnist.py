"""
The variational autoencoder on MNIST digits
===========================================

A VAE is EM's idea with neural networks: the generative model is
``z ~ N(0, I)``, ``x | z ~ Bernoulli(decoder(z))``; the posterior is out of
reach, so an encoder network gives an approximate posterior
``q(z | x) = N(m(x), diag s(x)^2)``, and both networks are trained together
on the ELBO ``E_q[log p(x | z)] - KL(q(z | x) || p(z))`` by stochastic
gradients (the reparameterisation ``z = m + s * eps``). This example trains
a VAE with a two-dimensional latent space on the MNIST test images (bundled
with clusterlab), shows reconstructions, new samples, the latent space
coloured by digit and the decoded latent grid, and then compares deep
clustering (VaDE: a Gaussian mixture prior in the latent space, trained end
to end) with k-means on the raw pixels. Needs the ``torch`` extra.
"""


import matplotlib.pyplot as plt
import numpy as np

from clusterlab import kmeans
from clusterlab.datasets import load_mnist_test
from clusterlab.deep import VAE, DeepClustering, cluster_accuracy
from clusterlab.plots.gallery import is_small_run, save_figure
from clusterlab.plots.images import image_grid, latent_scatter, reconstruction_grid

SMALL = is_small_run()  # CLUSTERLAB_EXAMPLE_SMALL=1: the small size, for CI


# small: a few epochs on 2,000 images (seconds); full: all 10,000 test images
N, HIDDEN, EPOCHS, BATCH = (2000, 256, 6, 64) if SMALL else (10000, 400, 40, 128)
images, digits = load_mnist_test()
X = images[:N].reshape(N, -1) / 255.0
y = digits[:N]

# %%
# A VAE with a two-dimensional latent space
# -----------------------------------------
vae = VAE(hidden_dim=HIDDEN, latent_dim=2, epochs=EPOCHS, batch_size=BATCH, learning_rate=2e-3,
          random_state=0).fit(X)
history = vae.history_
print(f"VAE 784-{HIDDEN}-2, {vae.n_iter_} epochs: held-out ELBO "
      f"{np.asarray(history['val_elbo'])[-1]:.1f} nats per image (train "
      f"{np.asarray(history['train_elbo'])[-1]:.1f})")

fig, axes = plt.subplots(2, 2, figsize=(12, 9), gridspec_kw={"height_ratios": [1, 2]})
axes = axes.ravel()
reconstruction_grid(X[:10], vae.reconstruct(X[:10]), image_shape=(28, 28), ax=axes[0])
axes[0].set_title("originals (top) and reconstructions")
image_grid(vae.sample(20, random_state=0), n_cols=10, image_shape=(28, 28), ax=axes[1],
           title="samples: decoder(z), z ~ N(0, I)")
Z = vae.transform(X)
latent_scatter(Z, y, ax=axes[2], title="latent means, coloured by digit")
# the decoded grid: the 2-D latent space laid out as images
side = 8
u = np.linspace(-2.0, 2.0, side)
grid = np.array([[a, b] for b in u[::-1] for a in u])
image_grid(vae.decode(grid), n_cols=side, image_shape=(28, 28), ax=axes[3],
           title="decoded latent grid")
fig.tight_layout()
save_figure(fig, "vae_mnist")

# %%
# Deep clustering against k-means on the pixels
# ---------------------------------------------
if SMALL:
    dc = DeepClustering(10, hidden_dim=(256,), latent_dim=10, pretrain_epochs=4, epochs=3,
                        random_state=0)
else:  # the defaults (VaDE, 500-500 hidden, 100 + 50 epochs): minutes on a laptop
    dc = DeepClustering(10, random_state=0)
dc_labels = dc.fit(X).labels_
_, km_labels, _, _ = kmeans(X, 10, n_init=3, random_state=0)
acc_dc, acc_km = cluster_accuracy(y, dc_labels), cluster_accuracy(y, km_labels)
print(f"accuracy against the digits (Hungarian matching): deep clustering {acc_dc:.3f}, "
      f"k-means on pixels {acc_km:.3f}"
      + (" (small run: a few epochs; the full run reached 0.869 against 0.542)" if SMALL else ""))

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, labels, name, acc in ((axes[0], km_labels, "k-means on pixels", acc_km),
                              (axes[1], dc_labels, "deep clustering (VaDE)", acc_dc)):
    counts = np.zeros((10, 10))
    np.add.at(counts, (y, labels), 1)
    counts = counts[:, np.argsort(counts.argmax(axis=0))]  # clusters in order of their digit
    ax.imshow(counts, cmap="Blues")
    ax.set_xlabel("cluster")
    ax.set_ylabel("digit")
    ax.set_title(f"{name}: accuracy {acc:.2f}")
fig.tight_layout()
save_figure(fig, "deep_clustering")
