"""Entry point of the built-in image plugin (group ``recog``)."""

from recog.hookspecs import hookimpl
