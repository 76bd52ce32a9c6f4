"""Checking and cleaning text before it is spoken.

The rules, in order (each failure is a :class:`recog.errors.TextError` naming a short preview of the text):

* not a ``str``: error;
* longer than :data:`MAX_TEXT_CHARS` (10,000) characters: error, checked before anything else so a megabyte
  of text fails at once (split long text into sentences, e.g. one per line for ``recog synth --from``);
* terminal escape sequences (ANSI colours, cursor moves) and markup tags (``<speak>``, ``<break time="1s"/>``:
  SSML is not interpreted, and its tags are not words) are removed;
* Unicode is NFC-normalised;
* emoji and other pictographic symbols are removed: category ``So`` (emoji, dingbats, arrows, ©, ™, °),
  emoji modifiers and variation selectors. espeak-ng would otherwise read their names ("grinning face"),
  which a transcript does not contain;
* control and format characters are removed (tabs, newlines, NUL and other C0 controls become spaces),
  as are private-use, unassigned and lone surrogate code points; runs of whitespace collapse to one space;
* nothing left, or no letter or digit left (only punctuation): error;
* letters of any script are kept and spoken as the voice can: an English voice spells Cyrillic letter by
  letter and says "Chinese letter" for each Han character; choose the language's voice (``"ru"``, ``"cmn"``)
  to speak it properly. Text for which the voice produces no sound at all (e.g. Arabic-Indic digits with an
  English voice) raises :class:`TextError` at synthesis.
"""

from __future__ import annotations

import re
import unicodedata

from recog.errors import TextError

__all__ = ["MAX_TEXT_CHARS", "prepare_text", "preview"]

MAX_TEXT_CHARS = 10_000  # longest text one synthesis accepts

_SPACES = {chr(c) for c in range(0x20)} | {"\x7f", "\x85"}  # C0 controls (NUL, tab, newline ...) separate words
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")  # ANSI CSI, OSC, 2-byte
_TAGS = re.compile(r"</?[A-Za-z][\w:.-]*(\s+[\w:.-]+\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))*\s*/?>")  # markup tags
_DROP_CATEGORIES = {"So", "Cc", "Cf", "Co", "Cn", "Cs"}


def _is_emoji_part(c: str) -> bool:
    o = ord(c)
    return (
        0xFE00 <= o <= 0xFE0F  # variation selectors (emoji presentation)
        or 0xE0100 <= o <= 0xE01EF
        or 0x1F3FB <= o <= 0x1F3FF  # skin-tone modifiers
        or o == 0x20E3  # combining enclosing keycap
    )


def preview(text: str, n: int = 24) -> str:
    """A short description of ``text`` for error messages: ``<text 'ERASE C Q Q…'>``."""
    return f"<text {text[:n]!r}{'…' if len(text) > n else ''}>"


def prepare_text(text: object) -> str:
    """Check ``text`` and return the clean text espeak-ng will speak (rules in the module docstring)."""
    if not isinstance(text, str):
        raise TextError(f"<{type(text).__name__}>", f"expected a str of text to speak, got {type(text).__name__}")
    if len(text) > MAX_TEXT_CHARS:
        raise TextError(preview(text), f"text is {len(text):,} characters long; the limit is {MAX_TEXT_CHARS:,} "
                                       "(split it into sentences)")
    text = _TAGS.sub(" ", _ESCAPES.sub("", text))
    out = []
    for c in unicodedata.normalize("NFC", text):
        if c in _SPACES:
            out.append(" ")
        elif unicodedata.category(c) not in _DROP_CATEGORIES and not _is_emoji_part(c):
            out.append(c)
    clean = " ".join("".join(out).split())
    if not clean:
        raise TextError(preview(text), "nothing to speak: the text is empty or only whitespace, control characters "
                                       "or emoji")
    if not any(unicodedata.category(c)[0] in "LN" for c in clean):
        raise TextError(preview(text), "nothing to speak: the text has no letters or digits")
    return clean
