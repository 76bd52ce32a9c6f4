"""Built-in recog plugin: line images (handwriting) and synthetic handwriting rendered with fonts.

Registered through the ``recog`` entry-point group (``image = "recog_image.plugin"``) like any
third-party plugin; this package imports only recog's public API.
"""


from recog.lazy import lazy_exports

_LAZY = {
    "LineImageFrontend": "frontend", "LineImageConfig": "frontend", "LineAugmentConfig": "augment",
    "augment_line": "augment", "HandwritingFont": "fonts", "find_fonts": "fonts", "select_fonts": "fonts",
    "SynthConfig": "synth", "TextSampler": "synth", "RenderReport": "synth", "render_text": "synth",
    "render_dataset": "synth",
}
__all__ = list(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
