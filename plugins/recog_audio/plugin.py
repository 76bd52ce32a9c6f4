"""Entry point of the built-in audio plugin (group ``recog``)."""

from recog.hookspecs import hookimpl
