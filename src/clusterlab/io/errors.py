"""The one error a malformed model file raises inside the loader.

``load_model`` turns it into a ``ValueError`` naming the user's path.

Examples
--------
>>> issubclass(Malformed, ValueError)
True
"""


class Malformed(ValueError):
    """What is wrong with a model file (without the path; the loader adds it)."""
