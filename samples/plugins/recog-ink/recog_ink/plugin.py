"""Entry point of the recog-ink plugin (group ``recog``)."""

from recog import hookimpl


@hookimpl
def register_frontends(register):
    from .frontend import InkFrontend  # torch and Pillow load when frontends are first needed

    register(InkFrontend)
