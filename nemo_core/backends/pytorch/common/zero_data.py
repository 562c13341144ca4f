"""A data layer of zeros with declared shapes, for tests and benchmarks."""

import torch

from ..nm import DataLayerNM

__all__ = ["ZerosDataLayer"]


class _Zeros(torch.utils.data.Dataset):
    def __init__(self, size, shapes, dtypes):
        self._size = size
        self._items = [torch.zeros(shape, dtype=dtype) for shape, dtype in zip(shapes, dtypes)]

    def __len__(self):
        return self._size

    def __getitem__(self, index):
        return tuple(self._items)


class ZerosDataLayer(DataLayerNM):
    """``size`` samples of zeros; one output port per entry of ``output_ports``.

    ``shapes`` lists each port's per-sample shape, ``dtypes`` its torch dtype
    (default float32). Output ports: as given by ``output_ports``.
    """

    def __init__(self, size, output_ports, shapes, dtypes=None, batch_size=1, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=False, **kwargs)
        dtypes = dtypes or [torch.float32] * len(shapes)
        self._ports = dict(output_ports)
        self._dataset = _Zeros(size, shapes, dtypes)

    @property
    def output_ports(self):
        return self._ports

    @property
    def dataset(self):
        return self._dataset
