"""Entry point of the built-in audio plugin (group ``recog``): registers :class:`LogMelFrontend` as "audio"."""

from recog.hookspecs import RegisterFrontend, hookimpl


@hookimpl
def register_frontends(register: RegisterFrontend) -> None:
    from .frontend import LogMelFrontend  # torch, torchaudio and soundfile load when frontends are first needed

    register(LogMelFrontend)
