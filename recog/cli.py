"""The ``recog`` command line: a thin layer over the library.

Library errors become one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .atomic import atomic_write_text
from .errors import RecogError, SeveralRegionsError
from .lazy import TORCH_EXTRA, torch_installed
from .plugins import get_host
from .pool import DEFAULT_THREADS, process_threads  # noqa: F401 (DEFAULT_THREADS: the documented default)
from .progress import ProgressBar
from .results import Transcript
from .segments import SUBTITLE_FORMATS, to_srt, to_tsv, to_vtt

__all__ = ["main", "build_parser"]


def _render(r, fmt: str) -> str:
    """A transcript in an output format: text, json, srt, vtt or tsv."""
    if fmt == "json":
        return json.dumps(r.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt in SUBTITLE_FORMATS:
        if r.unit != "s":
            raise RecogError(f"{r.source}: --format {fmt} is for audio (times); positions in an image are pixels: "
                             "use --format json")
        return {"srt": to_srt, "vtt": to_vtt, "tsv": to_tsv}[fmt](r.segments)
    return r.text + "\n"


def _write_output(text: str, source, fmt: str, out_dir: Path) -> Path:
    """``text`` to ``out_dir/<input stem>.<fmt>`` (``stdin.<fmt>`` for standard input), written atomically."""
    return atomic_write_text(out_dir / f"{_stem(source)}.{'txt' if fmt == 'text' else fmt}", text)


def _stem(source) -> str:
    """An output file's name for an input: the input's stem, ``stdin`` for standard input."""
    return Path(source).stem if isinstance(source, (str, os.PathLike)) else "stdin"


def _expand_inputs(paths: list[str]) -> list:
    """Folders become the files in them (recursively, sorted) that some frontend reads by suffix; ``-`` is
    standard input's bytes."""
    suffixes = {suf for cls in get_host().frontends().values() if cls.default_model for suf in cls.suffixes}
    out: list = []
    for p in paths:
        if p == "-":
            out.append(sys.stdin.buffer.read())
        elif Path(p).is_dir():
            found = sorted(str(f) for f in Path(p).rglob("*") if f.is_file() and f.suffix.lower() in suffixes)
            if not found:
                raise RecogError(f"{p}: a folder with no audio or image files ({', '.join(sorted(suffixes))})")
            out.extend(found)
        else:
            out.append(p)
    return out


def _load(args: argparse.Namespace, name: str):
    """The recogniser a command runs (``recog.load``): an ONNX export (``--model X.onnx``), or any model in a
    torch-free install, runs on the torch-free runtime; else the PyTorch recogniser."""
    from . import api

    if getattr(args, "plot", None) is not None and (str(name).endswith(".onnx") or not torch_installed()):
        raise RecogError("--plot needs PyTorch and a PyTorch model (a name or .safetensors bundle), not an ONNX export")
    return api.load(name, decoder=args.decoder, decoder_options=_decoder_options(args), device=args.device,
                    engine=args.engine)


def _document_output(r, fmt: str) -> str:
    """A document's transcripts as text (a line per region) or JSON; subtitles are for audio."""
    if fmt == "json":
        return json.dumps(r.to_dict(), ensure_ascii=False, indent=2) + "\n"
    if fmt in SUBTITLE_FORMATS:
        raise RecogError(f"{r.source}: --format {fmt} is for audio (times); a page's lines have boxes: use --format "
                         "json or a layout format")
    return r.text + "\n"


def _write_document(r, source, fmt: str, out_dir: Path | None) -> str | None:
    """Write a document result in a layout format (PAGE, ALTO) to ``out_dir/<input stem>.<fmt>.xml``, or return
    the XML to print when there is no ``out_dir``."""
    import tempfile

    stem = _stem(source if source is not None else r.source)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        r.write(out_dir / f"{stem}.{fmt}.xml", format=fmt)
        return None
    with tempfile.TemporaryDirectory() as tmp:
        return r.write(Path(tmp) / "out.xml", format=fmt).read_text(encoding="utf-8")


def _transcribe(args: argparse.Namespace) -> int:
    from . import api
    from .document import document_formats, read_document, transcribe_regions

    doc_formats = document_formats()
    if not args.paths and args.lines is None:
        raise RecogError("recog transcribe needs input files (or --lines LAYOUT, which names its page image)")
    if args.lines is not None and len(args.paths) > 1:
        raise RecogError("--lines describes one page: give at most one input with it")
    args.paths = _expand_inputs(args.paths) if args.paths else [None]
    if args.plot is not None and len(args.paths) != 1:
        raise RecogError("--plot draws one input; give exactly one")
    if (args.format in SUBTITLE_FORMATS or args.format in doc_formats) and len(args.paths) > 1 and args.output_dir is None:
        raise RecogError(f"--format {args.format} with several inputs needs --output-dir (one file per input)")
    # a layout (--lines) or a layout format reads every input as a document (its regions one by one); otherwise an
    # input is read whole, and one the recogniser refuses for holding several regions (a page) as a document
    as_documents = args.lines is not None or args.format in doc_formats
    failures: list[str] = []
    by_model: dict[str, list[int]] = {}
    documents: dict[int, object] = {}
    for i, p in enumerate(args.paths):
        try:
            if as_documents:
                documents[i] = read_document(p, args.lines)
            name = args.model or api.default_model_for(documents.get(i, p))
        except RecogError as e:
            failures.append(str(e))
            continue
        by_model.setdefault(name, []).append(i)
    results: dict[int, object] = {}
    for name, idx in by_model.items():
        try:
            rec = _load(args, name)
        except RecogError as e:
            failures.extend(f"{_describe_input(args.paths[i], args.lines)}: {e}" for i in idx)
            continue
        whole = [i for i in idx if i not in documents]
        if whole:
            bar = None if args.quiet else ProgressBar(f"transcribe ({name})")
            out = rec.transcribe_batch([args.paths[i] for i in whole], batch_size=args.batch_size, errors="return",
                                       progress=bar, workers=1 if args.plot is not None else args.workers)
            results.update(zip(whole, out))
            if args.plot is not None and not isinstance(out[0], RecogError):
                from .plot import plot_recognition

                plot_recognition(rec, args.paths[whole[0]], out[0], args.plot)
        for i in idx:
            try:
                if isinstance(results.get(i), SeveralRegionsError):
                    documents[i] = read_document(args.paths[i])
                if i in documents:
                    results[i] = transcribe_regions(rec, documents[i], batch_size=args.batch_size)
            except RecogError as e:
                results[i] = e
    docs = []
    for i in sorted(results):
        r = results[i]
        if isinstance(r, RecogError):
            failures.append(str(r))
            continue
        failures.extend(f"{r.source}: line {region.id}: {getattr(e, 'problem', e)}" for region, e in getattr(r, "errors", ()))
        try:
            _emit(r, args.paths[i], i in documents, args, doc_formats, docs)
        except RecogError as e:
            failures.append(str(e))
    if args.format == "json" and args.output_dir is None:
        print(json.dumps(docs if len(args.paths) > 1 else (docs[0] if docs else None), ensure_ascii=False, indent=2))
    for i in sorted(results):  # an empty transcript says why (silence, a blank page, a page with no lines ...)
        r = results[i]
        for w in () if isinstance(r, RecogError) else r.warnings:
            print(f"recog: warning: {r.source}: {w}", file=sys.stderr)
    for f in failures:
        print(f"recog: error: {f}", file=sys.stderr)
    if failures and len(args.paths) > 1:
        print(f"recog: {len(failures)} of {len(args.paths)} inputs failed", file=sys.stderr)
    return 1 if failures else 0


def _emit(r, source, is_document: bool, args: argparse.Namespace, doc_formats: tuple[str, ...], docs: list) -> None:
    """Print or write one input's result (a transcript, or a document's) in ``args.format``; JSON goes to ``docs``
    (printed at the end as one document)."""
    several = len(args.paths) > 1
    if args.format in doc_formats:
        xml = _write_document(r, source, args.format, args.output_dir)
        if xml is not None:
            sys.stdout.write(xml)
    elif args.output_dir is not None:
        text = _document_output(r, args.format) if is_document else _render(r, args.format)
        _write_output(text, source if source is not None else r.source, args.format, args.output_dir)
    elif args.format == "json":
        docs.append(r.to_dict())
    elif is_document and args.format == "text":  # a line per region; with several inputs, each names its region
        for region, t in r:
            text = t.text if isinstance(t, Transcript) else ""
            print(f"{r.source}#{region.id}\t{text}" if several else text)
    elif is_document or args.format in SUBTITLE_FORMATS:
        sys.stdout.write(_document_output(r, args.format) if is_document else _render(r, args.format))
    else:
        print(f"{r.source}\t{r.text}" if several else r.text)


def _describe_input(p, lines: str | None) -> str:
    """An input for a message: its path, ``<stdin>``, or the layout file that names it."""
    return "<stdin>" if isinstance(p, bytes) else str(lines if p is None else p)


def _align(args: argparse.Namespace) -> int:
    from . import api

    text = args.text
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise RecogError(f"{text[1:]}: cannot read the text to align ({e})") from None
    source = args.input
    rec = api.load(args.model or api.default_model_for(source), decoder="greedy", device=args.device)
    if not hasattr(rec, "align"):  # the torch-free runtime transcribes; forced alignment is the PyTorch recogniser's
        raise RecogError(f"recog align needs PyTorch and a PyTorch model (a name or .safetensors bundle): {TORCH_EXTRA}")
    aligned = rec.align(source, text)
    if args.plot is not None:
        from .plot import plot_recognition

        plot_recognition(rec, source, aligned, args.plot)
    sys.stdout.write(_render(aligned, args.format))
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .evaluation import score

    if args.report is not None and args.report < 1:
        raise RecogError(f"--report N must be >= 1, got {args.report}")
    if args.by is not None and args.report is None:
        args.report = 20
    cluster_by = "speaker/writer" if args.by in ("speaker", "writer") else args.by or "auto"  # for --against
    if args.by in ("speaker", "writer"):
        args.by = None  # the manifest's speaker/writer is each item's group
    corpus = args.manifest
    if args.by is not None or args.against is not None:  # checked before the model runs; the corpus is read once
        from .corpus import read_corpus

        corpus = read_corpus(args.manifest)
    if args.by is not None:
        fields = sorted({k for u in corpus for k in u.extra})
        if args.by not in fields:
            raise RecogError(f"{args.manifest}: --by {args.by}: no item has that field "
                             f"({'its fields: ' + ', '.join(fields) if fields else 'no fields besides path and text'})")
    report = score(corpus, _load(args, args.model), batch_size=args.batch_size, workers=args.workers,
                   progress=None if args.quiet else ProgressBar("eval"))
    d = report.to_dict()
    comparison = None
    if args.against is not None:  # the baseline reads the same items with the same decoder; B = --model, A = --against
        from .bootstrap import paired_bootstrap

        base = score(corpus, _load(args, args.against), batch_size=args.batch_size, workers=args.workers,
                     progress=None if args.quiet else ProgressBar("eval"))
        comparison = [paired_bootstrap(base, report, metric=m, by=cluster_by) for m in ("cer", "wer")]
        d["against"] = {"model": args.against, **base.to_dict(), "comparison": {c.metric: c.to_dict() for c in comparison}}
    if args.items is not None:
        atomic_write_text(args.items, "".join(json.dumps(it.to_dict(), ensure_ascii=False, default=str) + "\n"
                                              for it in report.items))
    top = args.report
    if args.json:
        if top is not None:
            d["errors"] = report.char_errors().to_dict(top)
            d["groups"] = {g: {"cer": round(c, 5), "char_errors": e, "chars": n}
                           for g, (c, e, n) in report.by_group(args.by).items()}
            d["worst"] = [it.to_dict() for it in report.worst(top)]
        print(json.dumps(d, ensure_ascii=False))
    else:
        rtf = "n/a" if d["rtf"] is None else f"{d['rtf']:.4f}"
        secs = "n/a" if d["input_seconds"] is None else f"{d['input_seconds']:.1f}"
        print(f"CER {report.cer:.2%}  WER {report.wer:.2%}  items {d['n']}  input seconds {secs}  "
              f"wall seconds {d['wall_seconds']:.2f}  RTF {rtf}  items/s {d['items_per_second']:.1f}")
        for c in comparison or ():
            print(c.describe(a=args.against, b=args.model))
        if top is not None:
            sys.stdout.write(_error_report(report, top, args.by))
    return 0


def _char(c: str, missing: str) -> str:
    return missing if c == "" else repr(c)


def _error_report(report, top: int, key: str | None) -> str:
    """``recog eval --report``: errors by kind, the most frequent confusions, CER by speaker/writer, worst items."""
    ce = report.char_errors()
    lines = [f"\ncharacter errors: {ce.errors} of {ce.chars} reference characters: {ce.substitutions} substituted, "
             f"{ce.deletions} left out (deletions), {ce.insertions} added (insertions)"]
    if ce.confusions:
        lines.append(f"most frequent errors (reference -> hypothesis), {min(top, len(ce.confusions))} of "
                     f"{len(ce.confusions)}:")
        lines += [f"  {n:6d}  {_char(r, '(added)')} -> {_char(h, '(left out)')}" for r, h, n in ce.confusions[:top]]
    groups = report.by_group(key)
    if len(groups) > 1:
        lines.append(f"CER by {key or 'speaker/writer'}, worst {min(top, len(groups))} of {len(groups)}:")
        lines += [f"  {c:7.2%}  {e:6d} / {n:<6d}  {g}" for g, (c, e, n) in list(groups.items())[:top]]
    worst = report.worst(top)
    if worst:
        lines.append(f"items with the most character errors, {len(worst)}:")
        for it in worst:
            lines += [f"  {it.char_errors} errors ({it.cer:.1%})  {it.name}", f"    ref: {it.reference}",
                      f"    hyp: {it.hypothesis}"]
    return "\n".join(lines) + "\n"


def _train(args: argparse.Namespace) -> int:
    from .recipe import DataConfig, train_from_manifests
    from .train import TrainConfig
    from .vocab import TextNormalizer

    recipe: dict = {}
    if args.recipe:
        try:
            recipe = json.loads(Path(args.recipe).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise RecogError(f"{args.recipe}: cannot read recipe ({e})") from None
    data_d = recipe.get("data", {})
    model_d = dict(recipe.get("model", {}))
    train_d = dict(recipe.get("train", {}))
    for k in ("epochs", "batch_size", "lr", "seed", "max_steps", "patience", "checkpoint_every", "warmup_steps", "max_frames",
              "workers", "cpu_amp", "ema"):
        v = getattr(args, k)
        if v is not None:
            train_d[k] = v
    for k in ("hidden", "lstm_layers", "dropout"):
        v = getattr(args, k)
        if v is not None:
            model_d[k] = v
    normalizer = TextNormalizer(**data_d.pop("normalizer", {}))
    train_manifests = tuple(args.train or data_d.pop("train", []))
    data_d.pop("train", None)
    if not train_manifests:
        raise RecogError("recog train needs --train MANIFEST (or a recipe with data.train)")
    overrides = {
        "dev": args.dev,
        "frontend": args.frontend,
        "name": args.name,
        "dev_fraction": args.dev_fraction,
        "alphabet": args.alphabet,
    }
    data_d.update({k: v for k, v in overrides.items() if v is not None})
    if args.no_augment:
        data_d["augment"] = False
    if args.extend_alphabet:
        data_d["extend_alphabet"] = True
    data = DataConfig(train=train_manifests, normalizer=normalizer, **data_d)
    bar = ProgressBar("train") if not args.quiet else None
    path, result = train_from_manifests(
        data, model_d, TrainConfig(**train_d), args.out, resume=args.resume, overwrite=args.overwrite,
        init_from=args.init,
        progress=bar,
        notes=(lambda s: print(s, file=sys.stderr)) if not args.quiet else None,
    )
    if path is not None:
        dev = result.best_dev or {}
        print(json.dumps({"bundle": str(path), "steps": result.steps, "epochs": result.epochs,
                          "best_epoch": result.best_epoch, "dev_cer": dev.get("cer"), "dev_wer": dev.get("wer"),
                          "stopped_early": result.stopped_early, "wall_seconds": round(result.wall_seconds, 1),
                          "unalignable_items": len(result.unalignable)}))
    return 0


def _plugins(args: argparse.Namespace) -> int:
    infos = get_host().info()  # clashes with built-in commands were recorded while the parser was built
    if args.json:
        print(json.dumps([i.to_dict() for i in infos], indent=2))
    else:
        for i in infos:
            print(f"{i.name:<10} {i.version or '-':<8} {i.status:<8} {', '.join(i.hooks) or '-'}")
            for e in i.errors:
                print(f"{'':<10} ! {e}")
            for n in i.notes:
                print(f"{'':<10} - {n}")
        if not torch_installed():
            print(f"PyTorch is not installed: models run as their int8 ONNX exports; training, export, align and "
                  f"--plot need {TORCH_EXTRA}")
    return 0


def _models(args: argparse.Namespace) -> int:
    from . import api
    from .bundle import Bundle

    rows = []
    for name, m in sorted(api.models().items()):
        row = {"name": name, "plugin": m.plugin, "path": str(m.path), "description": m.description}
        try:
            head = Bundle.read_header(m.path)
            row.update(frontend=head["frontend"]["name"], metrics=head.get("metrics", {}))
        except RecogError as e:
            row.update(error=str(e))
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for r in rows:
            print(f"{r['name']:<12} {r.get('frontend', '?'):<8} {r['description']}" + (f"  ! {r['error']}" if "error" in r else ""))
    return 0


def _export(args: argparse.Namespace) -> int:
    from .export import export_bundle, export_lm, onnx_metadata

    bar = None if args.quiet else ProgressBar("export")
    path = export_bundle(args.model, args.out, int8=args.int8, features_in_graph=args.features_in_graph, check=args.check,
                         progress=bar)
    lm = export_lm(args.model, path)  # the runtime decodes with it by default, as the PyTorch path does
    meta = onnx_metadata(path)
    print(json.dumps({"onnx": str(path), "lms": [str(x) for x in lm], "bytes": path.stat().st_size,
                      "inputs": meta["inputs"]["kind"],
                      "exporter": meta["exporter"]["path"], "int8": meta["int8"],
                      "max_abs_log_prob_diff_fp32": meta["export_check"]["max_abs_log_prob_diff_fp32"],
                      **({"accuracy_check": meta["accuracy_check"]} if "accuracy_check" in meta else {})}))
    return 0


def _decoder_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", help="cpu, cuda or cuda:N (default: cuda when there is one, else cpu)")
    p.add_argument("--engine", choices=("auto", "torch", "onnx"), default="auto",
                   help="what runs the network: auto (default: the model's int8 ONNX export on a CPU where it ships one "
                        "that kept the PyTorch accuracy, else PyTorch), torch, or onnx")
    p.add_argument("--decoder", default="auto",
                   help="auto (default: words with the model's word LM, else beam with its character LM, else greedy), "
                        "greedy, beam (characters), words (lexicon + word LM), or a plugin's decoder")
    p.add_argument("--lm", help="the LM file: NAME.lm.json.gz (beam) or NAME.words.lm.gz (words); default the model's own")
    p.add_argument("--no-lm", action="store_true", help="beam search without a language model")
    p.add_argument("--beam", type=int, help="hypotheses kept per frame")
    p.add_argument("--lm-weight", type=float, help="language model weight")
    p.add_argument("--char-bonus", type=float, help="beam: score added per character")
    p.add_argument("--word-score", type=float, help="words: score added per word")
    p.add_argument("--hotword", action="append", default=[], metavar="TEXT[:SCORE]",
                   help="favour a word or phrase, e.g. 'Stella Tanaka:4' (repeatable; default score 5)")
    p.add_argument("--nbest", type=int, help="keep the N best distinct texts (JSON output: alternatives)")
    p.add_argument("--decoder-option", action="append", default=[], metavar="KEY=VALUE",
                   help="any other decoder option, e.g. for a plugin's decoder (value parsed as JSON, else text)")


def _decoder_options(args: argparse.Namespace) -> dict:
    opts: dict = {}
    if args.no_lm:
        opts["lm"] = None
    elif args.lm:
        opts["lm"] = args.lm
    for k in ("beam", "lm_weight", "char_bonus", "word_score", "nbest"):
        if getattr(args, k) is not None:
            opts[k] = getattr(args, k)
    if args.hotword:
        from .beam import parse_hotword

        opts["hotwords"] = tuple(parse_hotword(h) for h in args.hotword)
    for kv in args.decoder_option:
        key, sep, value = kv.partition("=")
        if not sep or not key.strip():
            raise RecogError(f"--decoder-option wants KEY=VALUE, got {kv!r}")
        try:
            opts[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            opts[key.strip()] = value
    if opts and args.decoder == "greedy":
        raise RecogError(f"decoder options {sorted(opts)} need a beam decoder (--decoder beam or words)")
    return opts


def _lm(args: argparse.Namespace) -> int:
    from . import api
    from .lm_tools import build_model_lm, build_word_lm, dev_log_probs, read_texts, tune_beam, tune_words

    rec = api.load(args.model, decoder="greedy")
    texts = read_texts(args.text)
    say = (lambda s: print(s, file=sys.stderr))
    if args.words:
        order = args.order or 3
        lm = build_word_lm(rec, texts, order=order, prune=tuple(args.prune), sources=args.text)
    else:
        order = args.order or 6
        lm = build_model_lm(rec, texts, order=order, sources=args.text)
    say(f"{lm!r} from {len(texts)} texts")
    if args.tune:
        sets = dev_log_probs(rec, args.tune)
        beam = {"beam": args.beam} if args.beam else {}  # else the tuner's default (BeamOptions.beam)
        if args.words:
            grid = {k: v for k, v in (("lm_weights", args.lm_weights), ("word_scores", args.bonuses)) if v}
            tuned = tune_words(rec, lm, args.tune, **beam, say=say, sets=sets, **grid)
        else:
            grid = {k: v for k, v in (("lm_weights", args.lm_weights), ("char_bonuses", args.bonuses)) if v}
            tuned = tune_beam(rec, lm, args.tune, **beam, say=say, sets=sets, **grid)
        lm.meta["decode"] = tuned["decode"]
        lm.meta["tuned_on"] = {k: tuned[k] for k in ("dev", "greedy")}
        lm.meta["perplexity_dev"] = lm.perplexity(rec.alphabet.normalize(u) for u in read_texts(args.tune))
    path = lm.save(args.out)
    print(json.dumps({"lm": str(path), "bytes": path.stat().st_size, "order": order, "texts": len(texts),
                      **{k: lm.meta[k] for k in ("decode", "tuned_on", "perplexity_dev") if k in lm.meta}}))
    return 0


def _workers_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", default="auto", metavar="N|auto",
                   help="processes, each with --threads threads (default auto: one per core for 64 inputs or more "
                        "on the CPU, else 1)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="recog", description="Speech and handwriting recognition with BiLSTM-CTC models.")
    p.add_argument("--threads", type=int, help="intra-op threads per process (default: OMP_NUM_THREADS, else 1: "
                   "fastest on a busy machine; try 2 on an idle one)")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("transcribe", help="transcribe audio files or images")
    t.add_argument("paths", nargs="*", help="input files, folders of them, or - for standard input; a page image is "
                   "read line by line (its lines found, or from --lines)")
    t.add_argument("--lines", metavar="LAYOUT", help="PAGE or ALTO XML with the one input's text lines (the input "
                   "defaults to the page image it names); the page is read line by line")
    t.add_argument("--model", "-m", help="model name, bundle path, or an ONNX export (X.onnx: run by the torch-free "
                   "runtime) (default: by input kind)")
    from .document import document_formats

    layouts = document_formats()
    t.add_argument("--format", choices=("text", "json", *SUBTITLE_FORMATS, *layouts), default="text",
                   help="text, json (with segments, words, characters; a page: its lines with boxes), subtitles: srt, "
                        "vtt, tsv (segments split at pauses and at two lines of 42 characters)"
                        + (f", or a page layout with the text: {', '.join(layouts)} (XML)" if layouts else ""))
    t.add_argument("--output-dir", type=Path, help="write DIR/<input name>.<format> per input instead of printing "
                   "(<input name>.<format>.xml for page/alto)")
    t.add_argument("--plot", type=Path, metavar="PNG", help="draw the features, posteriorgram and tokens of the one "
                   "input (needs matplotlib: pip install 'recog[plot]')")
    _decoder_args(t)
    t.add_argument("--batch-size", type=int, default=16)
    _workers_arg(t)
    t.add_argument("--quiet", action="store_true", help="no progress bar (it is only drawn on a terminal anyway)")
    t.set_defaults(func=_transcribe)

    a = sub.add_parser("align", help="where each word and character of a known text lies in an input (CTC forced "
                                     "alignment)")
    a.add_argument("input", help="audio file or line image")
    a.add_argument("text", help="the text spoken or written in it, or @FILE to read it from a UTF-8 file")
    a.add_argument("--model", "-m", help="model name or bundle path (default: by input kind)")
    a.add_argument("--format", choices=("json", *SUBTITLE_FORMATS), default="json",
                   help="json (words and characters with start/end and posteriors), or srt, vtt, tsv")
    a.add_argument("--device", help="cpu, cuda or cuda:N")
    a.add_argument("--plot", type=Path, metavar="PNG", help="draw the features, posteriorgram and aligned tokens")
    a.set_defaults(func=_align)

    e = sub.add_parser("eval", help="score a model on a corpus (CER, WER, real-time factor)")
    e.add_argument("manifest", help="JSONL manifest, PAGE/ALTO XML file, or a folder of them")
    e.add_argument("--model", "-m", required=True, help="model name, bundle path, or an ONNX export (X.onnx)")
    e.add_argument("--json", action="store_true")
    _decoder_args(e)
    e.add_argument("--batch-size", type=int, default=16)
    _workers_arg(e)
    e.add_argument("--report", type=int, nargs="?", const=20, metavar="N",
                   help="also report the errors: substitutions, deletions and insertions, the N (default 20) most "
                        "frequent confusions, CER by speaker/writer (or --by) and the N worst items")
    e.add_argument("--by", metavar="FIELD", help="report CER by this manifest field (e.g. page) instead of by "
                   "speaker/writer (implies --report)")
    e.add_argument("--against", metavar="MODEL",
                   help="also score MODEL (same data, same decoder) and tell whether --model's CER differs from its "
                        "by more than the choice of items explains: a paired bootstrap over pages, else "
                        "speakers/writers, else items (or --by FIELD's values)")
    e.add_argument("--items", type=Path, metavar="JSONL",
                   help="write every item's reference, hypothesis and error counts to this JSONL file")
    e.add_argument("--quiet", action="store_true", help="no progress bar (it is only drawn on a terminal anyway)")
    e.set_defaults(func=_eval)

    lm = sub.add_parser("lm", help="build a character LM (beam decoder) or a word LM (--words: words decoder) for a "
                        "model, tuned on dev")
    lm.add_argument("--model", "-m", required=True, help="model name or bundle path (its alphabet and normaliser)")
    lm.add_argument("--text", action="append", required=True,
                    help="training text: a JSONL manifest (its text field) or a text file, one text per line (repeatable)")
    lm.add_argument("--words", action="store_true",
                    help="a word n-gram LM (modified Kneser-Ney, ARPA inside; its words are the decoder's lexicon)")
    lm.add_argument("--order", type=int, help="n-gram order (default: 6 characters, or 3 words)")
    lm.add_argument("--prune", type=int, nargs="+", default=[0, 0, 1], metavar="N",
                    help="--words: per order, drop n-grams seen at most N times (default 0 0 1)")
    lm.add_argument("--tune", metavar="DEV", action="append",
                    help="dev manifest: grid-search lm_weight and char_bonus (words: word_score) and store the best "
                         "(repeatable: the best mean WER over the sets wins)")
    lm.add_argument("--beam", type=int, help="beam size (default 32)")
    lm.add_argument("--lm-weights", type=float, nargs="+", metavar="W", help="--tune: the LM weights tried")
    lm.add_argument("--bonuses", type=float, nargs="+", metavar="B",
                    help="--tune: the char_bonus values tried (words: the word_score values)")
    lm.add_argument("-o", "--out", required=True,
                    help="output file: NAME.lm.json.gz, or NAME.words.lm.gz with --words (beside NAME.safetensors it is "
                         "the model's own)")
    lm.set_defaults(func=_lm)

    r = sub.add_parser("train", help="train a model on JSONL manifests or PAGE/ALTO XML pages")
    r.add_argument("--train", action="append", help="training corpus: JSONL manifest, PAGE/ALTO XML file, or a folder "
                   "of them (repeatable)")
    r.add_argument("--dev", help="dev corpus (default: hold out speakers/writers/pages of the training data)")
    r.add_argument("--dev-fraction", type=float)
    r.add_argument("--frontend", help="frontend name (default: audio)")
    r.add_argument("--alphabet", help="fixed alphabet (default: the characters of the training text)")
    r.add_argument("--recipe", help="JSON file with data/model/train sections")
    r.add_argument("--out", required=True, help="output folder (checkpoint, log.jsonl, model.safetensors)")
    r.add_argument("--name")
    r.add_argument("--workers", type=int, help="processes that featurize and augment ahead of the training step "
                   "(default 0; 1 pays on a machine with a core to spare)")
    r.add_argument("--cpu-amp", action="store_true", default=None,
                   help="bfloat16 autocast on the CPU: 1.5-1.7x faster steps on CPUs with AMX / AVX512-BF16 (lscpu flags "
                        "amx_bf16, avx512_bf16), slower elsewhere (a warning says so); a run may switch it on at --resume")
    r.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    r.add_argument("--overwrite", action="store_true", help="start over in an OUT that holds a run (deletes it)")
    r.add_argument("--init", metavar="MODEL", help="fine-tune: start from this model's weights (name or bundle path); "
                   "keeps its alphabet, shape and frontend settings")
    r.add_argument("--no-augment", action="store_true")
    r.add_argument("--extend-alphabet", action="store_true",
                   help="with --init: add the training text's new characters to the model (and take the recipe's "
                        "normaliser)")
    r.add_argument("--ema", type=float, metavar="DECAY",
                   help="also keep an exponential moving average of the weights (e.g. 0.999), scored on dev beside "
                        "the raw weights; the better is kept")
    r.add_argument("--quiet", action="store_true")
    for k, typ in (("epochs", int), ("batch-size", int), ("lr", float), ("seed", int), ("max-steps", int),
                   ("patience", int), ("checkpoint-every", int), ("warmup-steps", int), ("max-frames", int),
                   ("hidden", int), ("lstm-layers", int), ("dropout", float)):
        r.add_argument(f"--{k}", type=typ)
    r.set_defaults(func=_train)

    pl = sub.add_parser("plugins", help="list plugins, their hooks and status")
    pl.add_argument("--json", action="store_true")
    pl.set_defaults(func=_plugins)

    m = sub.add_parser("models", help="list the shipped models")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=_models)

    x = sub.add_parser("export", help="export a model as one ONNX graph (features in the graph where possible)")
    x.add_argument("model", help="model name or bundle path")
    x.add_argument("-o", "--out", required=True, help="output file, e.g. exports/speech.onnx")
    x.add_argument("--int8", action="store_true", help="quantise weights to int8 (dynamic quantisation)")
    x.add_argument("--features-in-graph", action=argparse.BooleanOptionalAction, default=True,
                   help="raw input with feature extraction in the graph, where the frontend allows it (default)")
    x.add_argument("--check", metavar="CORPUS",
                   help="transcribe CORPUS through PyTorch and the export and record both WER/CER in the export "
                        "(an int8 export beside its bundle is used by --engine auto only when it kept the accuracy)")
    x.add_argument("--quiet", action="store_true", help="no progress bar (it is only drawn on a terminal anyway)")
    x.set_defaults(func=_export)

    for name, (help_, configure, run) in sorted(get_host().commands(reserved=set(sub.choices)).items()):
        c = sub.add_parser(name, help=help_)
        try:
            configure(c)
        except Exception as ex:  # a plugin's parser setup must not break the CLI
            print(f"recog: warning: plugin command {name!r} unavailable: {ex}", file=sys.stderr)
            continue
        c.set_defaults(func=run)
    for c in sub.choices.values():
        try:
            c.add_argument("--threads", type=int, default=argparse.SUPPRESS,
                           help="intra-op threads (default: OMP_NUM_THREADS, else 1)")
        except argparse.ArgumentError:
            pass  # the command has its own --threads
    return p


TORCH_LAYER = ("torch", "torchaudio", "onnx", "onnxscript")  # recog[torch]: not in the base install


def _threads(args: argparse.Namespace) -> int:
    """The thread count a command runs with: --threads, else OMP_NUM_THREADS, else :data:`DEFAULT_THREADS`.

    One thread is the default because the LSTM synchronises its threads at every time step: on a 2-core
    machine shared with another job, two threads ran 4-16x slower than one (issue 17's measurements).
    """
    if getattr(args, "threads", None) is not None:
        if args.threads < 1:
            raise RecogError(f"--threads must be >= 1, got {args.threads}")
        return args.threads
    return process_threads()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        n = _threads(args)
        os.environ["OMP_NUM_THREADS"] = str(n)  # onnxruntime and any child process follow
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(n)
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe surfaces here, not in the interpreter's exit
        return status
    except RecogError as e:
        print(f"recog: error: {e}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as e:  # the base install (no recog[torch]) running a command that needs PyTorch
        if (e.name or "").split(".")[0] not in TORCH_LAYER:
            raise
        print(f"recog: error: recog {args.command} needs PyTorch, which this install lacks (no module {e.name!r}): "
              f"install the PyTorch layer ({TORCH_EXTRA}; from a checkout: pip install '.[torch]')", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("recog: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `recog transcribe ... | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
