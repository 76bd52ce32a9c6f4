"""``recog render``: the CLI wrapper of :func:`recog_image.synth.render_dataset`."""

from __future__ import annotations

import argparse
from pathlib import Path

from recog.errors import ConfigError


__all__ = ["configure_render", "run_render", "DEFAULT_TEXT_DIR"]

DEFAULT_TEXT_DIR = Path("../shared/data/text")  # relative to the working directory (the repository root)


def _names(values: list[str] | None) -> list[str] | None:
    """``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    if values is None:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def configure_render(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``recog render``."""
    parser.add_argument("--out", type=Path, help="output folder: images/*.png and the manifest")
    parser.add_argument("--count", type=int, help="number of images to render")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--fonts", nargs="+", metavar="ID", help="only these font ids or globs (comma or space separated)")
    parser.add_argument("--exclude-fonts", nargs="+", metavar="ID", help="leave out these font ids or globs (held-out fonts)")
    parser.add_argument(
        "--text",
        type=Path,
        action="append",
        metavar="FILE",
        help=f"corpus file, one sentence a line, for word n-grams (repeatable; default {DEFAULT_TEXT_DIR}/*.txt if present)",
    )
    parser.add_argument("--font-dir", type=Path, action="append", metavar="DIR", help="search DIR for fonts (every .ttf/.otf in it)")
    parser.add_argument("--manifest", default="all.jsonl", help="manifest file name inside --out (default all.jsonl)")
    parser.add_argument("--list-fonts", action="store_true", help="print the fonts found (id, path) and exit")
    parser.add_argument("--quiet", action="store_true", help="no progress bar (it is only drawn on a terminal anyway)")


def run_render(args: argparse.Namespace) -> int:
    """Run ``recog render``; returns the exit status. Raises :class:`recog.RecogError` on bad input."""
    from .fonts import find_fonts, select_fonts
    from .synth import TextSampler, render_dataset

    fonts = find_fonts()
    if args.font_dir:
        known = {f.id for f in fonts}
        fonts += [f for f in find_fonts(args.font_dir, all_fonts=True) if f.id not in known]
    fonts = select_fonts(fonts, _names(args.fonts), _names(args.exclude_fonts))
    if args.list_fonts:
        for f in fonts:
            print(f"{f.id}\t{f.path}")
        return 0
    if args.out is None or args.count is None:
        raise ConfigError("recog render needs --out DIR and --count N")
    texts = args.text if args.text is not None else sorted(DEFAULT_TEXT_DIR.glob("*.txt"))
    sampler = TextSampler.from_files(texts)
    from recog.progress import ProgressBar

    bar = None if args.quiet else ProgressBar("render")
    report = render_dataset(args.out, args.count, fonts, sampler, seed=args.seed, manifest_name=args.manifest,
                            progress=bar)
    print(
        f"wrote {report.written} images with {len(report.per_font)} fonts to {report.manifest}"
        f" ({report.skipped} texts skipped for missing glyphs; corpus: {', '.join(map(str, texts)) or 'none, place names and numbers only'})"
    )
    return 0
