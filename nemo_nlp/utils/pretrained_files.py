"""Find a pretrained model's folder on this machine; never download."""

import os

__all__ = ["OfflineModelError", "cached_model_dirs", "resolve_model_dir"]


class OfflineModelError(OSError):
    """A pretrained model name that is neither a local folder nor in the local Hugging Face cache."""


def resolve_model_dir(name_or_path):
    """The local folder (Hugging Face layout) of ``name_or_path``.

    A path to an existing folder is returned as is; a model name is looked up
    in the local Hugging Face cache only (``local_files_only``), so an absent
    model fails at once with :class:`OfflineModelError` instead of waiting on
    the network.
    """
    if os.path.isdir(name_or_path):
        return os.path.abspath(name_or_path)
    if os.path.exists(name_or_path):
        raise OfflineModelError(f"'{name_or_path}' is a file; expected a model folder in the Hugging Face layout "
                                "(config.json, weights, vocabulary)")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return snapshot_download(repo_id=name_or_path, local_files_only=True)
    except (LocalEntryNotFoundError, ValueError, OSError) as error:
        raise OfflineModelError(
            f"pretrained model '{name_or_path}' is neither a local folder nor in the local Hugging Face cache "
            f"({_cache_dir()}); this toolkit never downloads at run time (it loads with local_files_only, as with "
            "HF_HUB_OFFLINE=1). Download it on a networked machine (e.g. `huggingface-cli download "
            f"{name_or_path}`) and copy the cache or the folder here, then pass the folder path."
        ) from error


def _cache_dir():
    from huggingface_hub.constants import HF_HUB_CACHE

    return HF_HUB_CACHE


def cached_model_dirs():
    """``{model name: snapshot folder}`` of every model in the local Hugging Face cache."""
    cache = _cache_dir()
    found = {}
    if not os.path.isdir(cache):
        return found
    for entry in sorted(os.listdir(cache)):
        if not entry.startswith("models--"):
            continue
        name = entry[len("models--"):].replace("--", "/")
        try:
            found[name] = resolve_model_dir(name)
        except OfflineModelError:
            continue
    return found
