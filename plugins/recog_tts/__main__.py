"""``python -m recog_tts ...``: the ``recog synth`` command without the core CLI."""

from __future__ import annotations

import argparse
import sys

from recog.errors import RecogError

from . import cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m recog_tts", description=cli.HELP)
    cli.configure(parser)
    args = parser.parse_args(argv)
    try:
        return cli.run(args)
    except RecogError as e:
        print(f"recog synth: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
