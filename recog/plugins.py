"""Plugin discovery and the registries the hooks fill.

Plugins come from the ``recog`` entry-point group. ``RECOG_PLUGINS`` restricts which load:
unset loads all; a comma-separated list loads only those entry-point names; an empty value loads none.
A plugin that fails to import, or whose hook raises, is recorded with its error and skipped.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import threading
import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from . import hookspecs
from .errors import ModelNotFoundError, PluginError

__all__ = [
    "ENTRY_POINT_GROUP",
    "ENV_VAR",
    "PluginInfo",
    "RegisteredModel",
    "PluginHost",
    "get_host",
]

ENTRY_POINT_GROUP = "recog"
ENV_VAR = "RECOG_PLUGINS"


@dataclass
class PluginInfo:
    """What ``recog plugins`` shows about one plugin."""

    name: str
    version: str | None
    hooks: list[str] = field(default_factory=list)
    status: str = "ok"  # "ok", "failed" or "disabled"
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # optional parts missing here (report_status hook)

    def to_dict(self) -> dict:
        return {"name": self.name, "version": self.version, "hooks": self.hooks, "status": self.status,
                "errors": self.errors, "notes": self.notes}


@dataclass(frozen=True)
class RegisteredModel:
    """A named model bundle that a plugin ships."""

    name: str
    path: Path
    description: str
    plugin: str


class PluginHost:
    """A pluggy manager plus the registries filled from its hooks.

    Registries are built lazily on first use and rebuilt after :meth:`register` / :meth:`unregister`.
    """

    def __init__(self, *, load_entry_points: bool = True) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._info: dict[str, PluginInfo] = {}
        self._lock = threading.RLock()
        self._cache: dict[str, dict] = {}
        self.generation = 0  # bumped whenever plugins change, so callers can drop what they built from them
        self._register_defaults()
        if load_entry_points:
            self._load_entry_points()

    # --- loading ---------------------------------------------------------
    def _load_entry_points(self) -> None:
        wanted = os.environ.get(ENV_VAR)
        allow = None if wanted is None else {n.strip() for n in wanted.split(",") if n.strip()}
        for ep in md.entry_points(group=ENTRY_POINT_GROUP):
            version = ep.dist.version if ep.dist is not None else None
            if allow is not None and ep.name not in allow:
                self._info[ep.name] = PluginInfo(ep.name, version, status="disabled")
                continue
            if self.pm.has_plugin(ep.name):
                continue  # the same distribution seen twice on sys.path
            try:
                plugin = ep.load()
                self.pm.register(plugin, name=ep.name)
            except Exception as e:  # a broken plugin must not break the engine
                self._info[ep.name] = PluginInfo(ep.name, version, status="failed", errors=[_one_line(e)])
                continue
            self._info[ep.name] = PluginInfo(ep.name, version, hooks=self._hook_names(ep.name))

    def _register_defaults(self) -> None:
        """The core's own default plugin (the built-in decoders), first, so its names win clashes."""
        from . import __version__, decoders

        self.pm.register(decoders, name=decoders.PLUGIN_NAME)
        self._info[decoders.PLUGIN_NAME] = PluginInfo(decoders.PLUGIN_NAME, __version__, hooks=self._hook_names(decoders.PLUGIN_NAME))

    def _hook_names(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        return sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])

    def register(self, plugin: Any, name: str, version: str | None = None) -> None:
        """Register a plugin object directly (tests, applications embedding recog)."""
        with self._lock:
            try:
                self.pm.register(plugin, name=name)
            except Exception as e:
                raise PluginError(f"plugin {name!r} could not be registered: {_one_line(e)}") from e
            self._info[name] = PluginInfo(name, version, hooks=self._hook_names(name))
            self._cache.clear()
            self.generation += 1

    def unregister(self, name: str) -> None:
        with self._lock:
            if self.pm.has_plugin(name):
                self.pm.unregister(name=name)
            self._info.pop(name, None)
            self._cache.clear()
            self.generation += 1

    # --- calling hooks safely -------------------------------------------
    def _collect(self, hook: str, make_register: Callable[[str, dict], Callable[..., None]]) -> dict:
        with self._lock:
            if hook in self._cache:
                return self._cache[hook]
            out: dict = {}
            caller = getattr(self.pm.hook, hook)
            # call each implementation ourselves so one failure does not stop the others; get_hookimpls()
            # lists them in registration order, so the earliest plugin registers first and wins clashes
            for impl in caller.get_hookimpls():
                name = impl.plugin_name
                register = make_register(name, out)
                try:
                    impl.function(register)
                except Exception as e:
                    info = self._info.setdefault(name, PluginInfo(name, None))
                    info.status = "failed"
                    info.errors.append(f"{hook}: {_one_line(e)}")
            self._cache[hook] = out
            return out

    def _clash(self, plugin: str, kind: str, key: str, owner: str) -> None:
        info = self._info.setdefault(plugin, PluginInfo(plugin, None))
        info.errors.append(f"{kind} {key!r} already registered by {owner!r}; ignored")

    # --- registries -----------------------------------------------------
    def frontends(self) -> dict[str, type]:
        """Registered frontend classes by name."""
        from .frontend import Frontend

        def make(plugin: str, out: dict) -> Callable:
            def register(cls: type) -> None:
                if not (isinstance(cls, type) and issubclass(cls, Frontend)):
                    raise PluginError(f"register_frontends got {cls!r}, not a Frontend subclass")
                if cls.name in out:
                    self._clash(plugin, "frontend", cls.name, out[cls.name][1])
                    return
                out[cls.name] = (cls, plugin)

            return register

        return {k: v[0] for k, v in self._collect("register_frontends", make).items()}

    def models(self) -> dict[str, RegisteredModel]:
        """Shipped model bundles by name."""

        def make(plugin: str, out: dict) -> Callable:
            def register(name: str, path: os.PathLike | str, description: str = "") -> None:
                if name in out:
                    self._clash(plugin, "model", name, out[name].plugin)
                    return
                out[name] = RegisteredModel(name, Path(path), description, plugin)

            return register

        return self._collect("register_models", make)

    def decoders(self) -> dict[str, Callable]:
        """Decoder factories by name, the built-in ``greedy``, ``beam`` and ``words`` included."""

        def make(plugin: str, out: dict) -> Callable:
            def register(name: str, factory: Callable) -> None:
                if name in out:
                    self._clash(plugin, "decoder", name, out[name][1])
                    return
                out[name] = (factory, plugin)

            return register

        return {k: v[0] for k, v in self._collect("register_decoders", make).items()}

    def readers(self) -> dict[str, Callable]:
        """Torch-free reader factories for ONNX exports, by frontend name (``register_readers``)."""

        def make(plugin: str, out: dict) -> Callable:
            def register(frontend: str, factory: Callable) -> None:
                if frontend in out:
                    self._clash(plugin, "reader", frontend, out[frontend][1])
                    return
                out[frontend] = (factory, plugin)

            return register

        return {k: v[0] for k, v in self._collect("register_readers", make).items()}

    def commands(self, reserved: Collection[str] = ()) -> dict[str, tuple]:
        """Extra CLI commands: name -> (help, configure, run).

        A plugin command named like one in ``reserved`` (the CLI's built-in commands) is left out and reported
        as a clash in ``recog plugins``, like any other clash.
        """

        def make(plugin: str, out: dict) -> Callable:
            def register(name: str, help: str, configure: Callable, run: Callable) -> None:
                if name in out:
                    self._clash(plugin, "command", name, out[name][3])
                    return
                out[name] = (help, configure, run, plugin)

            return register

        found = self._collect("register_commands", make)
        for name in sorted(set(found) & set(reserved)):
            clash = f"command {name!r} already registered by 'recog'; ignored"
            info = self._info.setdefault(found[name][3], PluginInfo(found[name][3], None))
            if clash not in info.errors:
                info.errors.append(clash)
        return {k: v[:3] for k, v in found.items() if k not in reserved}

    def frontend(self, name: str) -> type:
        found = self.frontends()
        if name not in found:
            raise PluginError(
                f"no frontend named {name!r} is registered (have: {', '.join(sorted(found)) or 'none'}); "
                f"is its plugin installed and allowed by {ENV_VAR}?"
            )
        return found[name]

    def model(self, name: str) -> RegisteredModel:
        found = self.models()
        if name not in found:
            raise ModelNotFoundError(
                f"{name!r} is neither a bundle file nor a registered model (have: {', '.join(sorted(found)) or 'none'})"
            )
        return found[name]

    def corpus_readers(self) -> dict[str, tuple[str, Callable]]:
        """Corpus readers by file suffix: ``".xml" -> (name, read)`` (the first plugin to claim a suffix wins)."""

        def make(plugin: str, out: dict) -> Callable:
            def register(name: str, suffixes: tuple[str, ...], read: Callable) -> None:
                for suffix in suffixes:
                    suffix = suffix.lower()
                    if suffix in out:
                        self._clash(plugin, "corpus reader for", suffix, out[suffix][2])
                        continue
                    out[suffix] = (name, read, plugin)

            return register

        return {k: v[:2] for k, v in self._collect("register_corpus_readers", make).items()}

    def document_readers(self) -> dict[str, tuple[Callable, tuple[str, ...], tuple[str, ...]]]:
        """Document readers by frontend name: ``"image" -> (read, formats, layout_suffixes)`` (first plugin wins)."""

        def make(plugin: str, out: dict) -> Callable:
            def register(frontend: str, read: Callable, formats: tuple[str, ...] = (),
                         layout_suffixes: tuple[str, ...] = ()) -> None:
                if frontend in out:
                    self._clash(plugin, "document reader for", frontend, out[frontend][3])
                    return
                out[frontend] = (read, tuple(formats), tuple(s.lower() for s in layout_suffixes), plugin)

            return register

        return {k: v[:3] for k, v in self._collect("register_document_readers", make).items()}

    def notes(self) -> dict[str, list[str]]:
        """Each plugin's report of optional parts it lacks here (the ``report_status`` hook)."""

        def make(plugin: str, out: dict) -> Callable:
            def report(line: str) -> None:
                out.setdefault(plugin, []).append(str(line))

            return report

        return self._collect("report_status", make)

    def info(self) -> list[PluginInfo]:
        """Every plugin seen, after calling each hook once so hook failures show up too."""
        self.frontends(), self.models(), self.decoders(), self.readers(), self.commands(), self.corpus_readers()
        self.document_readers()
        for plugin, lines in self.notes().items():
            info = self._info.setdefault(plugin, PluginInfo(plugin, None))
            info.notes = list(lines)
        return sorted(self._info.values(), key=lambda i: i.name)


_host: PluginHost | None = None
_host_lock = threading.Lock()


def get_host() -> PluginHost:
    """The process-wide :class:`PluginHost`, created on first use."""
    global _host
    with _host_lock:
        if _host is None:
            _host = PluginHost()
        return _host


def _one_line(e: BaseException) -> str:
    msg = str(e).strip().splitlines()
    where = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
    loc = f" ({Path(where.filename).name}:{where.lineno})" if where else ""
    return f"{type(e).__name__}: {msg[0] if msg else ''}{loc}"
