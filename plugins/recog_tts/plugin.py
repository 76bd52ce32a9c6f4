"""Entry point of the built-in tts plugin (group ``recog``): the ``tts`` frontend, the ``synth`` command, and a
report of the optional speech engines that are missing here."""

from recog.hookspecs import hookimpl
from recog.lazy import torch_installed

from . import cli
from .engines import engine_problems


@hookimpl
def register_frontends(register):
    if not torch_installed():  # text -> speech features needs the PyTorch audio frontend
        return
    from .frontend import SpeechFromTextFrontend  # torch loads when frontends are first needed

    register(SpeechFromTextFrontend)


@hookimpl
def register_commands(register):
    register("synth", cli.HELP, cli.configure, cli.run)


@hookimpl
def report_status(report):
    for engine, problem in engine_problems().items():
        if problem:
            report(f"speech engine {engine}: {problem}; its voices are skipped")
