"""Shared docstring paragraphs, written once (as scikit-learn's and pandas'
docstring templates).

A docstring names a shared paragraph by a line holding only ``{name}``;
:func:`fill_doc` replaces it with the paragraph, indented as the placeholder
line was. Other braces in a docstring are left alone.
"""

import re

PARAGRAPHS = {
    "X_fit": """\
X : array-like of shape (n_samples, n_features)
    Training data.""",
    "X_new": """\
X : array-like of shape (n_samples, n_features)
    New data.""",
    "X_source": """\
X : array-like of shape (n_samples, n_features), memmap, path or Dask array
    A file is read in chunks; a Dask array gives a lazy Dask array.
out : ndarray, default=None
    Where to write the result chunk by chunk (e.g. a ``numpy.memmap``);
    not for Dask arrays. Every chunk of ``X`` is checked before the first row
    is written, so bad input leaves ``out`` untouched.""",
    "y_ignored": """\
y : Ignored
    Not used, present for API consistency.""",
    "sample_weight": """\
sample_weight : array-like of shape (n_samples,), default=None
    Weight of each point.""",
    "fit_params": """\
{X_fit}
{y_ignored}
{sample_weight}""",
    "score_params": """\
{X_new}
{y_ignored}
{sample_weight}""",
    "sample_params": """\
n_samples : int, default=1
    Number of samples to draw.
random_state : int, Generator, RandomState or None, default=None
    Seed of the draw (the same seed gives the same samples); None draws
    fresh randomness.""",
    "density_score": """\
As every density estimator's ``score`` here: ``score_samples(X).mean()``.""",
}

_PLACEHOLDER = re.compile(r"^([ \t]*)\{(\w+)\}[ \t]*$", re.MULTILINE)


def _indented(match):
    indent, name = match.group(1), match.group(2)
    if name not in PARAGRAPHS:
        return match.group(0)
    text = _PLACEHOLDER.sub(_indented, PARAGRAPHS[name])  # paragraphs may nest
    return "\n".join(indent + line if line else line for line in text.splitlines())


def fill_doc(obj):
    """Replace the ``{name}`` placeholder lines of ``obj.__doc__``; returns ``obj``.

    Examples
    --------
    >>> @fill_doc
    ... def fit(X, y=None):
    ...     '''Fit.
    ...
    ...     Parameters
    ...     ----------
    ...     {X_fit}
    ...     {y_ignored}
    ...     '''
    >>> print(fit.__doc__.splitlines()[4])
        X : array-like of shape (n_samples, n_features)
    """
    if obj.__doc__:
        obj.__doc__ = _PLACEHOLDER.sub(_indented, obj.__doc__)
    return obj
