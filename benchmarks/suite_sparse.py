"""Sparse k-means: clusterlab vs scikit-learn on a TF-IDF-like CSR matrix.

SP-A: 100,000 documents x 50,000 terms, about 100 non-zeros per row (terms
drawn from a Zipf law, log term frequency x inverse document frequency, rows
scaled to unit length, float64 as scikit-learn's TfidfVectorizer gives),
k=50, 10 Lloyd iterations from the same initial centres (tol=0). Both
libraries work on the CSR matrix without densifying it; quality is the
inertia (equal when both make the same iterations).
"""

from collections import OrderedDict

import numpy as np
import scipy.sparse as sp

from benchmarks._workload import Workload


def tfidf_like(n_docs, n_terms, draws_per_row, seed=0):
    """A CSR matrix shaped like TF-IDF: Zipf terms, log tf x idf, unit rows.

    ``draws_per_row`` term occurrences per document; repeated terms merge, so
    160 draws give about 100 distinct terms (non-zeros) per row.
    """
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_terms + 1) ** 1.1
    cols = rng.choice(n_terms, size=n_docs * draws_per_row, p=p / p.sum())
    rows = np.repeat(np.arange(n_docs), draws_per_row)
    X = sp.csr_matrix((np.ones(cols.size), (rows, cols)), shape=(n_docs, n_terms))
    X.sum_duplicates()  # counts per (doc, term)
    df = np.bincount(X.indices, minlength=n_terms)
    idf = np.log((1 + n_docs) / (1 + df)) + 1.0
    X.data = (1.0 + np.log(X.data)) * idf[X.indices]
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1.0 / norms) @ X
    return X.tocsr()


def _data():
    X = tfidf_like(100_000, 50_000, 160)
    rng = np.random.default_rng(1)
    C0 = X[rng.choice(X.shape[0], 50, replace=False)].toarray()
    return {"X": X, "C0": C0, "k": 50, "n_iter": 10}


def run_ours(data):
    from clusterlab import KMeans

    km = KMeans(data["k"], init=data["C0"], n_init=1, max_iter=data["n_iter"], tol=0.0,
                refine="none").fit(data["X"])
    return {"quality": float(km.inertia_), "note": f"{km.n_iter_} it, nnz={data['X'].nnz:,}"}


def run_sklearn(data):
    from sklearn.cluster import KMeans

    km = KMeans(data["k"], init=data["C0"], n_init=1, max_iter=data["n_iter"], tol=0.0,
                algorithm="lloyd").fit(data["X"])
    return {"quality": float(km.inertia_), "note": f"{km.n_iter_} it"}


WORKLOADS = [
    Workload(
        name="SP-A",
        description="TF-IDF-like CSR 100,000 x 50,000, ~100 nnz/row, k=50, 10 iterations",
        make_data=_data,
        runners=OrderedDict([("clusterlab", run_ours), ("scikit-learn", run_sklearn)]),
        quality_name="inertia",
        target="<= 0.5x scikit-learn's time, peak memory no higher",
        repeats=1,
    ),
]
