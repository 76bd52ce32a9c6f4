"""Entry point of the built-in tts plugin (group ``recog``)."""

from recog.hookspecs import hookimpl
