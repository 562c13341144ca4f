"""``AppState().modules`` / ``.graphs``: name-keyed views of the live modules and graphs.

Objects are held weakly and no action uses these views: they exist for users
(look a module up by name, print a summary) and for ``reuse_existing_modules``.
"""

import weakref

__all__ = ["AppState", "ObjectRegistry"]


class ObjectRegistry:
    """Live objects by ``name`` (the first live object of a name keeps it), held weakly."""

    def __init__(self, kind):
        self._kind = kind
        self._objects = weakref.WeakValueDictionary()

    def register(self, obj):
        self._objects.setdefault(obj.name, obj)

    def __getitem__(self, name):
        try:
            return self._objects[name]
        except KeyError:
            raise KeyError(f"no live {self._kind} named {name!r}; live: {sorted(self._objects)}") from None

    def __contains__(self, name):
        return name in self._objects

    def has(self, name):
        return name in self._objects

    def __iter__(self):
        return iter(sorted(self._objects))

    def __len__(self):
        return len(self._objects)

    def summary(self):
        """One line per live object: its name and class."""
        lines = [f"{len(self)} live {self._kind}(s):"]
        lines += [f"  {name}: {type(self._objects[name]).__name__}" for name in self]
        return "\n".join(lines)


class AppState:
    """The process-wide views (every ``AppState()`` shares them)."""

    _modules = ObjectRegistry("module")
    _graphs = ObjectRegistry("graph")

    @property
    def modules(self):
        return AppState._modules

    @property
    def graphs(self):
        return AppState._graphs
