"""Entry point of the built-in image plugin (group ``recog``): the line-image frontend, pages as documents (PAGE and
ALTO XML, or lines found) and ``recog render``."""

from recog.hookspecs import RegisterCommand, RegisterFrontend, hookimpl
from recog.lazy import torch_installed

from .commands import configure_render, run_render


@hookimpl
def register_frontends(register: RegisterFrontend) -> None:
    if not torch_installed():  # a torch-free install: what it reads, so inputs find their model and the runtime
        from .kind import ImageInput

        register(ImageInput)
        return
    from .frontend import LineImageFrontend  # torch loads when frontends are first needed

    register(LineImageFrontend)


@hookimpl
def register_readers(register) -> None:
    def image_reader(info):
        from .reader import ImageReader  # NumPy + Pillow: no torch in a deployment

        return ImageReader.from_info(info)

    register("image", image_reader)


@hookimpl
def register_commands(register: RegisterCommand) -> None:
    register("render", "render synthetic handwriting with installed fonts (PNGs + JSONL manifest)", configure_render, run_render)


@hookimpl
def register_document_readers(register) -> None:
    def read(source, layout):
        from .page import read_page  # NumPy + Pillow: no torch

        return read_page(source, layout)

    register("image", read, formats=("page", "alto"), layout_suffixes=(".xml",))


@hookimpl
def register_models(register) -> None:
    from pathlib import Path

    bundle = Path(__file__).parent / "models" / "handwriting.safetensors"
    if bundle.exists():
        register("handwriting", bundle, "Handwritten words and short lines, German and English (letters, umlauts, ß, digits)")


@hookimpl
def register_corpus_readers(register) -> None:
    from .page import read_page_corpus

    register("page-xml", (".xml",), read_page_corpus)  # PAGE XML and ALTO XML (told apart by their root)
