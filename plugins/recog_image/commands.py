"""``recog render``: the CLI wrapper of :func:`recog_image.synth.render_dataset`."""

from __future__ import annotations

import argparse
from pathlib import Path

from recog.errors import ConfigError


__all__ = ["configure_render", "run_render", "configure_page", "run_page", "DEFAULT_TEXT_DIR", "PAGE_HELP"]

PAGE_HELP = "transcribe a page scan line by line (lines from PAGE/ALTO XML, or found on straight pages); write XML back"

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


def configure_page(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``recog page``."""
    parser.add_argument("image", nargs="?", help="page image (default: the one the --lines XML names)")
    parser.add_argument("--lines", metavar="XML", help="PAGE or ALTO XML with the page's text lines "
                        "(default: find the lines by projection profiles; straight, one-column pages)")
    parser.add_argument("--model", "-m", default="handwriting", help="model name or bundle path (default handwriting)")
    parser.add_argument("--decoder", default="auto", help="auto (default), greedy, beam")
    parser.add_argument("--format", choices=("text", "json", "page", "alto"), default="text",
                        help="text: one line per line; json: lines with boxes, words and confidences; page/alto: XML")
    parser.add_argument("-o", "--out", type=Path, help="write here instead of standard output")


def run_page(args: argparse.Namespace) -> int:
    """Run ``recog page``; returns the exit status (1 when some lines failed). Raises RecogError on bad input."""
    import json
    import sys

    import recog

    from .page import read_page, transcribe_page

    if args.image is None and args.lines is None:
        raise ConfigError("recog page needs a page IMAGE, --lines XML, or both")
    page = read_page(args.image, args.lines)
    result = transcribe_page(recog.load(args.model, decoder=args.decoder), page)
    if args.format in ("page", "alto"):
        if args.out is None:
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                sys.stdout.write(result.write(Path(tmp) / "out.xml", format=args.format).read_text(encoding="utf-8"))
        else:
            result.write(args.out, format=args.format)
    else:
        text = json.dumps(result.to_dicts(), ensure_ascii=False, indent=1) if args.format == "json" else result.text
        if args.out is None:
            print(text)
        else:
            args.out.write_text(text + "\n", encoding="utf-8")
    failed = [(line.id, t) for line, t in result if isinstance(t, recog.RecogError)]
    for lid, e in failed:
        print(f"recog page: line {lid}: {e}", file=sys.stderr)
    if not page.layout.lines:
        print("recog page: no text lines found", file=sys.stderr)
    return 1 if failed else 0
