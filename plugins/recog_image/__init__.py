"""Built-in recog plugin: line images (handwriting) and synthetic handwriting rendered with fonts.

Registered through the ``recog`` entry-point group (``image = "recog_image.plugin"``) like any
third-party plugin; this package imports only recog's public API.
"""

from .augment import LineAugmentConfig, augment_line
from .fonts import HandwritingFont, find_fonts, select_fonts
from .frontend import LineImageConfig, LineImageFrontend
from .synth import RenderReport, SynthConfig, TextSampler, render_dataset, render_text

__all__ = [
    "LineImageFrontend",
    "LineImageConfig",
    "LineAugmentConfig",
    "augment_line",
    "HandwritingFont",
    "find_fonts",
    "select_fonts",
    "SynthConfig",
    "TextSampler",
    "RenderReport",
    "render_text",
    "render_dataset",
]
