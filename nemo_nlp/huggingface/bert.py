"""BERT: a BERT-family encoder from transformers (BERT, RoBERTa, ALBERT, DistilBERT, ...)."""

import inspect
import json
import os

from nemo.backends.pytorch.common import PretrainedModelInfo
from nemo.backends.pytorch.nm import TrainableNM
from nemo.core.neural_types import ChannelType, NeuralType

from ..utils.pretrained_files import cached_model_dirs, resolve_model_dir

__all__ = ["BERT"]

# Standard names users pass; they load only when present in the local Hugging Face cache.
KNOWN_MODELS = (
    "bert-base-uncased", "bert-large-uncased", "bert-base-cased", "bert-large-cased",
    "bert-base-multilingual-cased", "roberta-base", "roberta-large", "albert-base-v2", "distilbert-base-uncased",
    "sentence-transformers/all-MiniLM-L6-v2",
)
_CONFIG_KEYS = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                "max_position_embeddings", "type_vocab_size")


def _config_from_file(path):
    """A transformers config from a JSON file: Hugging Face ``config.json`` or legacy ``bert_config.json``."""
    from transformers import AutoConfig, BertConfig

    if not os.path.isfile(path):
        raise FileNotFoundError(f"BERT: config file '{path}' does not exist")
    with open(path, encoding="utf-8") as handle:
        try:
            values = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from error
    model_type = values.pop("model_type", None)
    return AutoConfig.for_model(model_type, **values) if model_type else BertConfig(**values)


class BERT(TrainableNM):
    """A BERT-family encoder.

    Build it from ``pretrained_model_name`` (a folder in the Hugging Face
    layout, or a name in the local Hugging Face cache: nothing is downloaded),
    from ``config_filename`` (random weights; load a checkpoint of this toolkit
    with ``restore_from``), or from the size arguments. Token type ids are
    used only by models that have them.

    Input ports: ``input_ids``, ``token_type_ids``, ``attention_mask`` (B, T).
    Output port: ``hidden_states`` (B, T, D).
    """

    def __init__(self, pretrained_model_name=None, config_filename=None, vocab_size=None, hidden_size=768,
                 num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072, hidden_act="gelu",
                 max_position_embeddings=512, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        from transformers import AutoModel, BertConfig

        if pretrained_model_name is not None:
            model_dir = resolve_model_dir(pretrained_model_name)
            self.bert = AutoModel.from_pretrained(model_dir, local_files_only=True)
        else:
            if config_filename is not None:
                config = _config_from_file(config_filename)
            elif vocab_size is not None:
                config = BertConfig(vocab_size=vocab_size, hidden_size=hidden_size,
                                    num_hidden_layers=num_hidden_layers, num_attention_heads=num_attention_heads,
                                    intermediate_size=intermediate_size, hidden_act=hidden_act,
                                    max_position_embeddings=max_position_embeddings)
            else:
                raise ValueError("BERT needs pretrained_model_name, config_filename or vocab_size (with sizes)")
            self.bert = AutoModel.from_config(config)
        config = self.bert.config
        accepts = inspect.signature(self.bert.forward).parameters
        self._token_types = "token_type_ids" in accepts and getattr(config, "type_vocab_size", 0) > 1

    @property
    def input_ports(self):
        tokens = NeuralType(("B", "T"), ChannelType())
        return {"input_ids": tokens, "token_type_ids": tokens, "attention_mask": tokens}

    @property
    def output_ports(self):
        return {"hidden_states": NeuralType(("B", "T", "D"), ChannelType())}

    @property
    def config(self):
        """The transformers config of the encoder."""
        return self.bert.config

    @property
    def local_parameters(self):
        """Constructor arguments, with the sizes taken from the loaded model's config."""
        params = self.init_params
        params.update({key: getattr(self.bert.config, key) for key in _CONFIG_KEYS if hasattr(self.bert.config, key)})
        return params

    def forward(self, input_ids, token_type_ids, attention_mask):
        extra = {"token_type_ids": token_type_ids} if self._token_types else {}
        return self.bert(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state

    def save_config(self, path):
        """Write the encoder's config (Hugging Face JSON) for ``BERT(config_filename=path)``."""
        from nemo.utils.atomic import atomic_path

        with atomic_path(path) as tmp:
            self.bert.config.to_json_file(tmp)

    @staticmethod
    def list_pretrained_models():
        """:class:`PretrainedModelInfo` of the standard names and every model in the local cache."""
        cached = cached_model_dirs()
        names = list(KNOWN_MODELS) + sorted(set(cached) - set(KNOWN_MODELS))
        infos = []
        for model in names:
            location = cached.get(model)
            state = "in the local Hugging Face cache" if location else "not on this machine (needs a download)"
            infos.append(PretrainedModelInfo(pretrained_model_name=model, description=f"{model}: {state}",
                                             location=location))
        return infos
