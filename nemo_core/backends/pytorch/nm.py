"""The PyTorch module kinds: TrainableNM, NonTrainableNM, LossNM, DataLayerNM."""

import itertools
import logging
from abc import abstractmethod

import torch
from torch import nn

from ...core.neural_graph import NeuralGraph
from ...core.neural_module import NeuralModule, WeightShareTransform
from ...core.nm_tensor import NmTensor
from ...utils.arg_checks import check_bool, check_int
from . import checkpoint

__all__ = ["TrainableNM", "NonTrainableNM", "LossNM", "DataLayerNM"]


def _graph_call(kwargs):
    return not kwargs or any(isinstance(value, (NmTensor, NeuralGraph)) for value in kwargs.values())


class _TorchNM(NeuralModule, nn.Module):
    """A neural module that is also an ``nn.Module``.

    Called with NmTensors it records a graph call; called with torch tensors it
    runs ``forward`` at once, like any ``nn.Module``.
    """

    # Graph-building properties that TorchScript must not try to compile.
    __jit_unused_properties__ = [
        "input_ports", "output_ports", "name", "unique_instance_id", "init_params", "local_parameters",
        "num_weights", "batch_size", "shuffle", "num_workers", "drop_last", "dataset", "data_iterator",
        "num_classes", "_device", "placement", "feature_dim",
    ]

    def __init__(self, name=None, **kwargs):
        nn.Module.__init__(self)
        NeuralModule.__init__(self, name=name, **kwargs)

    def __call__(self, *args, **kwargs):
        force_pt = kwargs.pop("force_pt", False)
        if not force_pt and not args and _graph_call(kwargs):
            return NeuralModule.__call__(self, **kwargs)
        return nn.Module.__call__(self, *args, **kwargs)

    @property
    def _device(self):
        """The device of the module's weights (legacy ``self._device``); CPU for a module without any."""
        for tensor in itertools.chain(self.parameters(), self.buffers()):
            return tensor.device
        return torch.device("cpu")

    @property
    def placement(self):
        """The legacy placement argument given to the module (None when not given)."""
        return self._placement

    def is_frozen(self):
        """Whether no weight of the module trains."""
        return not any(p.requires_grad for p in self.parameters())

    def get_weights(self):
        """``{name: (parameter, requires_grad)}`` for every weight (legacy 0.10 form)."""
        return {name: (param, param.requires_grad) for name, param in self.named_parameters()}

    def set_weights(self, name2weight, name2name_and_transform=None):
        """Copy weights in: ``name2weight`` maps a name to a tensor or ``(tensor, requires_grad)``;
        ``name2name_and_transform`` maps it to ``(own weight name, WeightShareTransform)``."""
        own = dict(self.named_parameters())
        with torch.no_grad():
            for name, value in name2weight.items():
                tensor = value[0] if isinstance(value, tuple) else value
                target, transform = (name2name_and_transform or {}).get(name, (name, WeightShareTransform.SAME))
                if target not in own:
                    raise KeyError(f"set_weights: {self.name} has no weight {target!r}; it has {sorted(own)}")
                if transform == WeightShareTransform.TRANSPOSE:
                    tensor = tensor.t()
                if tuple(tensor.shape) != tuple(own[target].shape):
                    raise ValueError(f"set_weights: {self.name}.{target} has shape {tuple(own[target].shape)}, "
                                     f"the given weight {name!r} {tuple(tensor.shape)}")
                own[target].copy_(tensor)

    @property
    def num_weights(self):
        """Number of trainable (requires_grad) weights."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)

    def freeze(self, weights=None):
        """Stop training all weights, or those whose names are in ``weights``."""
        self._set_requires_grad(False, weights)

    def unfreeze(self, weights=None):
        """Train all weights again, or those whose names are in ``weights``."""
        self._set_requires_grad(True, weights)

    def _set_requires_grad(self, flag, weights):
        named = dict(self.named_parameters())
        unknown = sorted(set(weights or ()) - set(named))
        if unknown:
            raise KeyError(f"{self.name}: no weight(s) named {unknown}; it has {sorted(named)}")
        for key, param in named.items():
            if weights is None or key in weights:
                param.requires_grad_(flag)

    def _expand_weight_names(self, names):
        """Weight names, with a submodule name (``"fc"``) standing for all its weights (``fc.weight``, ...)."""
        own = [name for name, _ in self.named_parameters()]
        expanded = []
        for name in names:
            matches = [w for w in own if w == name or w.startswith(name + ".")]
            if not matches:
                raise KeyError(f"{self.name} has no weight or submodule {name!r}; its weights are {own}")
            expanded.extend(matches)
        return expanded

    def tie_weights_with(self, module, weight_names, name2name_and_transform=None):
        """Share the named weights with ``module`` (the same Parameter objects).

        ``weight_names`` names this module's weights or submodules (``"fc"`` means
        ``fc.weight`` and ``fc.bias``); ``name2name_and_transform`` optionally maps a
        name to ``(name in module, WeightShareTransform.SAME)``. A transposed weight
        cannot be one tensor: copy it with ``set_weights`` instead.
        """
        theirs = dict(module.named_parameters())
        mapping = dict(name2name_and_transform or {})
        for weight in weight_names:
            other, transform = mapping.get(weight, (weight, WeightShareTransform.SAME))
            if transform != WeightShareTransform.SAME:
                raise ValueError(f"tie_weights_with: weights tied with {transform} cannot share one tensor; "
                                 "use set_weights(..., name2name_and_transform) to copy them transposed")
            for own_name in self._expand_weight_names([weight]):
                other_name = other + own_name[len(weight):]
                if other_name not in theirs:
                    raise KeyError(f"tie_weights_with: {module.name} has no weight {other_name!r}")
                owner_path, _, attr = own_name.rpartition(".")
                owner = self.get_submodule(owner_path) if owner_path else self
                setattr(owner, attr, theirs[other_name])

    def save_to(self, path):
        """Write this module's ``state_dict`` to ``path`` (atomically)."""
        checkpoint.save_state(self.state_dict(), path)

    def restore_from(self, path, local_rank=0):
        """Load weights saved by :meth:`save_to` or a checkpoint callback."""
        device = next(self.parameters(), torch.empty(0)).device
        if device.type == "cuda" and local_rank is not None:
            device = torch.device("cuda", local_rank)
        state = checkpoint.load_state(path, map_location=device)
        checkpoint.load_module_state(self, state, path)
        logging.getLogger("nemo").info(f"Restored {self.name} ({type(self).__name__}) from {path}")


class TrainableNM(_TorchNM):
    """A module with trainable weights; implement ``forward(**ports)``."""


class NonTrainableNM(_TorchNM):
    """A module without trainable weights (decoders, feature extraction)."""


class LossNM(_TorchNM):
    """A loss; implement ``_loss_function(**ports)`` returning a scalar tensor."""

    def forward(self, **kwargs):
        return self._loss_function(**kwargs)

    @abstractmethod
    def _loss_function(self, **kwargs):
        """Compute the loss from the input ports."""


class DataLayerNM(_TorchNM):
    """A module without inputs that feeds a DAG from a torch ``Dataset``.

    Subclasses provide ``__len__``, a ``dataset`` property and optionally a
    ``data_iterator`` (an iterable yielding batch tuples the layer drives
    itself); ``batch_size``, ``shuffle`` and ``num_workers`` shape the loader
    (``num_workers=None``: none on CPU, a few per GPU process).
    """

    def __init__(self, name=None, batch_size=None, shuffle=None, num_workers=None, drop_last=False, **kwargs):
        super().__init__(name=name, **kwargs)
        where = f"{type(self).__name__}({{}}=...)".format
        self._batch_size = check_int(batch_size, where("batch_size"), minimum=1, optional=True)
        self._shuffle = check_bool(shuffle, where("shuffle"), optional=True)
        self._num_workers = check_int(num_workers, where("num_workers"), minimum=0, optional=True)
        self._drop_last = check_bool(drop_last, where("drop_last"))

    @property
    def input_ports(self):
        return {}

    @property
    def dataset(self):
        return None

    @property
    def data_iterator(self):
        return None

    @property
    def batch_size(self):
        return self._batch_size

    @property
    def shuffle(self):
        return bool(self._shuffle)

    @property
    def num_workers(self):
        return getattr(self, "_num_workers", None)

    @property
    def drop_last(self):
        return getattr(self, "_drop_last", False)

    def __len__(self):
        return len(self.dataset)
