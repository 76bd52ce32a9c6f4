"""Entry point of the built-in image plugin (group ``recog``): the line-image frontend and ``recog render``."""

from recog.hookspecs import hookimpl

from .commands import configure_render, run_render
from .frontend import LineImageFrontend


@hookimpl
def register_frontends(register):
    register(LineImageFrontend)


@hookimpl
def register_commands(register):
    register("render", "render synthetic handwriting with installed fonts (PNGs + JSONL manifest)", configure_render, run_render)
