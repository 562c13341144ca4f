"""PretrainedModelInfo: one entry of a module's ``list_pretrained_models()``."""

from dataclasses import dataclass, field

__all__ = ["PretrainedModelInfo"]


@dataclass(frozen=True)
class PretrainedModelInfo:
    """A pretrained model a module can load.

    ``pretrained_model_name`` is what to pass to the module; ``location`` is
    where its files are on this machine (None when it is not available
    locally); ``parameters`` the model's key settings (e.g. hidden size).
    """

    pretrained_model_name: str
    description: str = ""
    parameters: dict = field(default_factory=dict)
    location: str = None

    @property
    def available(self):
        """Whether the files are on this machine."""
        return self.location is not None
