"""Speaker verification scores: cosine similarity of embeddings and the equal error rate."""
import numpy as np
from scipy.interpolate import interp1d
from scipy.optimize import brentq
from sklearn.metrics import roc_curve


def cosine_scores(embs1, embs2):
    """Cosine similarity of matching rows of two ``[N, D]`` arrays → ``[N]``."""
    a, b = np.asarray(embs1, dtype=np.float64), np.asarray(embs2, dtype=np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return (a * b).sum(axis=1) / np.maximum(norms, 1e-12)


def equal_error_rate(labels, scores):
    """``(eer, threshold)``: the rate where false acceptances equal false rejections, from
    scikit-learn's ROC, the crossing found with scipy (``labels`` 1 = same speaker)."""
    labels = np.asarray(labels)
    if labels.min() == labels.max():
        raise ValueError("equal_error_rate needs both target (1) and non-target (0) trials")
    fpr, tpr, thresholds = roc_curve(labels, scores, pos_label=1)
    eer = brentq(lambda x: 1.0 - x - interp1d(fpr, tpr)(x), 0.0, 1.0)
    threshold = float(interp1d(fpr, thresholds)(eer))
    return float(eer), threshold
