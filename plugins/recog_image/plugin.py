"""Entry point of the built-in image plugin (group ``recog``): the line-image frontend and ``recog render``."""

from recog.hookspecs import RegisterCommand, RegisterFrontend, hookimpl

from .commands import configure_render, run_render
from .frontend import LineImageFrontend


@hookimpl
def register_frontends(register: RegisterFrontend) -> None:
    register(LineImageFrontend)


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    register("render", "render synthetic handwriting with installed fonts (PNGs + JSONL manifest)", configure_render, run_render)


@hookimpl
def register_models(register) -> None:
    from pathlib import Path

    bundle = Path(__file__).parent / "models" / "handwriting.safetensors"
    if bundle.exists():
        register("handwriting", bundle, "Handwritten words and short lines, German and English (letters, umlauts, ß, digits)")
