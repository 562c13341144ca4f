"""Top-k accuracy, the confusion matrix and its picture (plain PyTorch / numpy / matplotlib)."""
import numpy as np
import torch


def top_k_correct(logits, labels, top_k=(1,)):
    """Count of rows whose label is among the ``k`` highest scores, for each ``k`` → int64 tensor ``[len(top_k)]``.

    ``logits`` (B, C), ``labels`` (B,). Stays on the batch's device.
    """
    largest = min(max(top_k), logits.shape[1])
    ranked = logits.topk(largest, dim=1).indices
    hits = ranked == labels.unsqueeze(1)
    return torch.stack([hits[:, : min(k, largest)].any(dim=1).sum() for k in top_k])


def confusion_matrix(predictions, labels, num_classes):
    """``[num_classes, num_classes]`` int64 counts; rows are true classes, columns predictions."""
    flat = labels.reshape(-1).long() * num_classes + predictions.reshape(-1).long()
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def confusion_matrix_image(matrix, class_names):
    """The confusion matrix drawn with counts in its cells, as an RGB ``uint8`` array ``[3, H, W]``
    (the layout ``SummaryWriter.add_image`` expects)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matrix = np.asarray(matrix)
    size = max(3.0, 0.45 * len(class_names) + 1.5)
    figure = Figure(figsize=(size, size), dpi=80)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.imshow(matrix, cmap="Blues")
    ticks = np.arange(len(class_names))
    axes.set_xticks(ticks, labels=class_names, rotation=90)
    axes.set_yticks(ticks, labels=class_names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    threshold = matrix.max() / 2 if matrix.size else 0
    for row in range(matrix.shape[0]):
        for col in range(matrix.shape[1]):
            axes.text(col, row, str(int(matrix[row, col])), ha="center", va="center",
                      color="white" if matrix[row, col] > threshold else "black")
    figure.tight_layout()
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3]
    return np.ascontiguousarray(pixels.transpose(2, 0, 1))
