"""Pictures of alignments, spectrograms and gates as RGB arrays (TensorBoard) or PNG files."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402

from nemo.utils.atomic import atomic_path  # noqa: E402


def _image_figure(matrix, title, xlabel, ylabel):
    figure, axis = plt.subplots(figsize=(8, 3.5))
    shown = axis.imshow(np.asarray(matrix), aspect="auto", origin="lower", interpolation="none")
    figure.colorbar(shown, ax=axis)
    axis.set(title=title, xlabel=xlabel, ylabel=ylabel)
    figure.tight_layout()
    return figure


def alignment_figure(alignment, title="alignment"):
    """``alignment [decoder steps, symbols]`` drawn with symbols upwards."""
    return _image_figure(np.asarray(alignment).T, title, "decoder step", "encoder step (symbol)")


def spectrogram_figure(spectrogram, title="mel spectrogram"):
    """``spectrogram [n_mel, T]`` drawn with frequency upwards."""
    return _image_figure(spectrogram, title, "frame", "mel channel")


def gate_figure(gate_probability, gate_target=None, title="gate"):
    """Stop probabilities per frame, with the target when given."""
    figure, axis = plt.subplots(figsize=(8, 2.5))
    if gate_target is not None:
        axis.plot(np.asarray(gate_target), color="green", alpha=0.6, label="target")
    axis.plot(np.asarray(gate_probability), color="red", marker=".", linestyle="", label="predicted")
    axis.set(title=title, xlabel="frame", ylabel="stop probability", ylim=(-0.05, 1.05))
    axis.legend(loc="upper left")
    figure.tight_layout()
    return figure


def figure_to_image(figure):
    """RGB ``uint8`` array ``[H, W, 3]`` of a figure (closes it)."""
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())[:, :, :3].copy()
    plt.close(figure)
    return image


def save_figure(figure, path):
    """Write a figure as PNG, atomically (closes it)."""
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png")
    plt.close(figure)
