"""TextDataLayer: the data layer kind every NLP task uses (a PaddedDataset behind ports)."""

from nemo.backends.pytorch.nm import DataLayerNM

from .ports import port_types

__all__ = ["TextDataLayer"]


class TextDataLayer(DataLayerNM):
    """Feeds a :class:`PaddedDataset`; one output port per ``dataset.output_names``.

    Training shuffles by default; batches are padded to their longest sample.
    """

    _port_overrides = None

    def __init__(self, dataset, batch_size, shuffle=True, num_workers=0, name=None, **kwargs):
        super().__init__(name=name, batch_size=batch_size, shuffle=shuffle, num_workers=num_workers, **kwargs)
        self._dataset = dataset

    @property
    def output_ports(self):
        return port_types(self._dataset.output_names, self._port_overrides)

    @property
    def dataset(self):
        return self._dataset
