"""YAML reading and atomic writing (ruamel.yaml, safe mode only)."""

from ruamel.yaml import YAML
from ruamel.yaml.representer import RepresenterError

from ..utils.atomic import atomic_path

__all__ = ["read_yaml", "write_yaml_atomic"]


def _yaml():
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    return yaml


def read_yaml(path):
    """Load a YAML file with the safe loader; errors name the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            return _yaml().load(handle)
    except OSError as error:
        raise FileNotFoundError(f"cannot read YAML file {path}: {error}") from error
    except Exception as error:  # ruamel's parser errors have no common base
        raise ValueError(f"{path}: not valid YAML: {error}") from error


def _plain(value):
    """Tuples become lists so the safe dumper accepts them."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def write_yaml_atomic(data, path, what="data"):
    """Dump ``data`` to ``path`` atomically; a value YAML cannot hold is named in the error."""
    data = _plain(data)
    with atomic_path(path) as tmp:
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                _yaml().dump(data, handle)
        except RepresenterError as error:
            raise ValueError(f"cannot write {what} to {path}: {error}") from error
