"""Entry point of the built-in tts plugin (group ``recog``): the ``tts`` frontend and the ``synth`` command."""

from recog.hookspecs import hookimpl

from . import cli
from .frontend import SpeechFromTextFrontend


@hookimpl
def register_frontends(register):
    register(SpeechFromTextFrontend)


@hookimpl
def register_commands(register):
    register("synth", cli.HELP, cli.configure, cli.run)
