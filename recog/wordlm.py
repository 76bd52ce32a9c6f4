"""Word language models for the word decoder: an ARPA model (:mod:`recog.arpa`) with its metadata.

A model's word LM lies beside its bundle as ``NAME.words.lm.gz``: gzip text whose first line is a
JSON header (``{"format": "recog-wordlm/1", "meta": {...}}``: the texts it was built from and, under
``"decode"``, the tuned decoder settings) followed by the ARPA model. Its vocabulary, spelled in
the model's alphabet, is the decoder's lexicon. KenLM (inside flashlight-text) reads the ARPA part
from a cache file (``~/.cache/recog/arpa/<sha256>.arpa``).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .arpa import BOS, EOS, UNK, ArpaModel, build_arpa, parse_arpa
from .atomic import atomic_write
from .errors import BundleError, ConfigError

__all__ = ["WordLM", "words_lm_path", "SUFFIX"]

FORMAT = "recog-wordlm/1"
SUFFIX = ".words.lm.gz"


def words_lm_path(model_path: str | os.PathLike) -> Path:
    """Where a model's own word LM lies: ``NAME.words.lm.gz`` beside its bundle or export."""
    from .decoders import beside

    return beside(model_path, SUFFIX)


def _cache_dir() -> Path:
    return Path(os.environ.get("RECOG_CACHE", Path.home() / ".cache" / "recog")) / "arpa"


@contextlib.contextmanager
def _quiet_stderr():
    """KenLM prints its loading progress on file descriptor 2; hide it."""
    try:
        fd = os.dup(2)
    except OSError:  # no stderr at all
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(fd, 2)
        os.close(fd)


class WordLM:
    """An ARPA word model with metadata.

    Args:
        arpa: the ARPA text.
        meta: facts kept with it (sources, tuned ``decode`` settings).
        path: the file it was read from, for messages.
    """

    def __init__(self, arpa: str, meta: dict | None = None, path: str | os.PathLike | None = None) -> None:
        self.arpa = arpa
        self.meta = dict(meta or {})
        self.path = Path(path) if path is not None else Path("<word LM>")
        self._model: ArpaModel | None = None

    @classmethod
    def build(cls, texts: Iterable[str], order: int = 3, prune: Sequence[int] = (0, 0, 1)) -> WordLM:
        """A modified Kneser-Ney model of ``texts`` (already normalised; words split at whitespace)."""
        sents = [t.split() for t in texts if t.split()]
        model = build_arpa(sents, order=order, prune=prune)
        lm = cls(model.to_text(), {"order": order, "prune": list(prune), "ngrams": model.num_ngrams(), "texts": len(sents)})
        lm._model = model
        return lm

    @property
    def model(self) -> ArpaModel:
        if self._model is None:
            self._model = parse_arpa(self.arpa.splitlines(), self.path)
        return self._model

    @property
    def words(self) -> list[str]:
        """The vocabulary (the lexicon), without ``<s>``, ``</s>`` and ``<unk>``."""
        return [w for w in self.model.vocab if w not in (BOS, EOS, UNK)]

    def perplexity(self, texts: Iterable[str]) -> float:
        return self.model.perplexity(t.split() for t in texts)

    def kenlm(self, dictionary):
        """A flashlight KenLM over ``dictionary`` (the decoder's word ids)."""
        from flashlight.lib.text.decoder.kenlm import KenLM

        digest = hashlib.sha256(self.arpa.encode("utf-8")).hexdigest()[:32]
        cached = _cache_dir() / f"{digest}.arpa"
        if not cached.is_file():
            cached.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(cached, lambda tmp: tmp.write_text(self.arpa, encoding="utf-8"))
        try:
            with _quiet_stderr():
                return KenLM(str(cached), dictionary)
        except RuntimeError as e:
            raise BundleError(self.path, f"KenLM cannot read its ARPA model ({str(e).splitlines()[-1][:200]})") from None

    # --- files ------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        if not path.name.endswith(SUFFIX):
            raise ConfigError(f"{path}: a word LM file name must end in {SUFFIX}")
        header = json.dumps({"format": FORMAT, "meta": self.meta}, ensure_ascii=False, separators=(",", ":"))

        def write(tmp: Path) -> None:
            with gzip.open(tmp, "wt", encoding="utf-8") as f:
                f.write(header + "\n")
                f.write(self.arpa)

        return atomic_write(path, write)

    @classmethod
    def load(cls, path: str | os.PathLike) -> WordLM:
        """Read a ``*.words.lm.gz`` file; :class:`BundleError` naming it when missing, foreign or corrupt."""
        path = Path(path)
        if not path.is_file():
            raise BundleError(path, "no such word language model file")
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                header = json.loads(f.readline())
                arpa = f.read()
        except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise BundleError(path, f"not a recog word language model ({e})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise BundleError(path, f"not a recog word language model (expected format {FORMAT!r})")
        lm = cls(arpa, header.get("meta") or {}, path)
        lm.model  # parse now: a damaged ARPA part is an error here, not in the middle of decoding
        return lm

    def __repr__(self) -> str:
        return f"WordLM(order={self.model.order}, words={len(self.words)}, ngrams={self.model.num_ngrams()})"
