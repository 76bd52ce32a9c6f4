"""Built-in recog plugin: line images (handwriting) and synthetic handwriting rendered with fonts.

Registered through the ``recog`` entry-point group (``image = "recog_image.plugin"``) like any
third-party plugin; this package imports only recog's public API.
"""

from importlib import import_module

_LAZY = {
    "LineImageFrontend": "frontend", "LineImageConfig": "frontend", "LineAugmentConfig": "augment",
    "augment_line": "augment", "HandwritingFont": "fonts", "find_fonts": "fonts", "select_fonts": "fonts",
    "SynthConfig": "synth", "TextSampler": "synth", "RenderReport": "synth", "render_text": "synth",
    "render_dataset": "synth",
}
__all__ = list(_LAZY)


def __getattr__(name: str):  # names load on first use, so the entry point (recog --help) does not import torch
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'recog_image' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
