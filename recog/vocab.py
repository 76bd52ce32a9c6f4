"""Character vocabulary: an alphabet with the CTC blank, and the text normaliser that belongs to a model.

Token id 0 is always the CTC blank. Every model carries its own normaliser, so the text
a model is trained on and the references it is scored against are normalised in one place.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from .errors import ConfigError, DataError

__all__ = ["BLANK", "TextNormalizer", "Alphabet", "OutOfAlphabetReport"]

BLANK = "<blank>"


@dataclass(frozen=True)
class TextNormalizer:
    """How transcripts are normalised before training and scoring.

    Applied in this order: Unicode normal form, case, punctuation, then whitespace collapsing.
    """

    unicode_form: str = "NFC"  # NFC keeps ä as one character; NFKC also folds ligatures
    case: str = "lower"  # "lower", "upper" or "keep"
    collapse_whitespace: bool = True  # runs of whitespace become one space, ends are stripped
    # speech: punctuation is not spoken. Unicode punctuation goes, except an apostrophe inside a word
    # ("don't"); dashes and slashes become spaces ("twenty-one" -> "twenty one")
    drop_punctuation: bool = False

    def __post_init__(self) -> None:
        if self.case not in ("lower", "upper", "keep"):
            raise ConfigError(f"TextNormalizer.case must be 'lower', 'upper' or 'keep', got {self.case!r}")
        if self.unicode_form not in ("NFC", "NFKC", "NFD", "NFKD"):
            raise ConfigError(f"TextNormalizer.unicode_form must be a Unicode normal form, got {self.unicode_form!r}")

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize(self.unicode_form, text)
        if self.case == "lower":
            text = text.lower()
        elif self.case == "upper":
            text = text.upper()
        if self.drop_punctuation:
            text = _drop_punctuation(text)
        if self.collapse_whitespace:
            text = " ".join(text.split())
        return text

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> TextNormalizer:
        return cls(**d)


_APOSTROPHES = "'\u2019\u02bc"  # ASCII, right single quotation mark, modifier letter apostrophe
_SPACING = "-\u2010\u2011\u2012\u2013\u2014/"  # read as a word break


def _drop_punctuation(text: str) -> str:
    """Remove punctuation and symbols that are not spoken; keep word-internal apostrophes as ``'``."""
    out = []
    n = len(text)
    for i, c in enumerate(text):
        if c in _APOSTROPHES:
            inside = 0 < i < n - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
            out.append("'" if inside else " ")
        elif c in _SPACING:
            out.append(" ")
        elif unicodedata.category(c)[0] in "PS":
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


@dataclass
class OutOfAlphabetReport:
    """Characters found in training text that the alphabet lacks, with counts."""

    counts: Counter = field(default_factory=Counter)
    utterances: int = 0  # transcripts that contained at least one such character

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __str__(self) -> str:
        if not self.counts:
            return "all characters are in the alphabet"
        chars = ", ".join(f"{c!r}x{n}" for c, n in self.counts.most_common(20))
        return f"{self.utterances} transcripts contain characters outside the alphabet: {chars}"


class Alphabet:
    """A character alphabet; id 0 is the CTC blank, ids 1..V-1 are characters.

    Args:
        chars: the characters, in id order starting at 1. Must be unique single characters.
        normalizer: the text normaliser that belongs to the model.
    """

    def __init__(self, chars: Iterable[str], normalizer: TextNormalizer | None = None) -> None:
        chars = list(chars)
        if len(set(chars)) != len(chars):
            raise ConfigError("alphabet characters must be unique")
        for c in chars:
            if len(c) != 1:
                raise ConfigError(f"alphabet entries must be single characters, got {c!r}")
        self.chars = chars
        self.normalizer = normalizer or TextNormalizer()
        self._index = {c: i + 1 for i, c in enumerate(chars)}

    @classmethod
    def from_texts(cls, texts: Iterable[str], normalizer: TextNormalizer | None = None) -> Alphabet:
        """Build the alphabet of every character in ``texts`` after normalisation (sorted, space first)."""
        normalizer = normalizer or TextNormalizer()
        seen = set()
        for t in texts:
            seen.update(normalizer(t))
        return cls(sorted(seen), normalizer)

    def __len__(self) -> int:
        """Vocabulary size V, blank included."""
        return len(self.chars) + 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Alphabet) and self.chars == other.chars and self.normalizer == other.normalizer

    def __repr__(self) -> str:
        return f"Alphabet({''.join(self.chars)!r}, {self.normalizer})"

    def normalize(self, text: str) -> str:
        return self.normalizer(text)

    def missing(self, text: str) -> list[str]:
        """Characters of normalised ``text`` that are not in the alphabet."""
        return [c for c in self.normalizer(text) if c not in self._index]

    def encode(self, text: str, *, source: str = "<text>") -> list[int]:
        """Normalise and map ``text`` to ids 1..V-1.

        Raises:
            DataError: if a character is outside the alphabet (never silently dropped).
        """
        text = self.normalizer(text)
        try:
            return [self._index[c] for c in text]
        except KeyError as e:
            raise DataError(f"{source}: character {e.args[0]!r} in {text!r} is not in the model's alphabet") from None

    def decode(self, ids: Iterable[int]) -> str:
        """Map ids (no blanks) back to text."""
        return "".join(self.chars[i - 1] for i in ids)

    def check(self, texts: Iterable[str]) -> OutOfAlphabetReport:
        """Count characters of ``texts`` outside the alphabet."""
        report = OutOfAlphabetReport()
        for t in texts:
            bad = self.missing(t)
            if bad:
                report.utterances += 1
                report.counts.update(bad)
        return report

    def to_dict(self) -> dict:
        return {"chars": "".join(self.chars), "normalizer": self.normalizer.to_dict()}

    @classmethod
    def from_dict(cls, d: dict) -> Alphabet:
        return cls(list(d["chars"]), TextNormalizer.from_dict(d["normalizer"]))
