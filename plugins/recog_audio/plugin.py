"""Entry point of the built-in audio plugin (group ``recog``): registers :class:`LogMelFrontend` as "audio"."""

from recog.hookspecs import RegisterFrontend, hookimpl
from recog.lazy import torch_installed


@hookimpl
def register_frontends(register: RegisterFrontend) -> None:
    if not torch_installed():  # a torch-free install: what it reads, so inputs find their model and the runtime
        from .kind import AudioInput

        register(AudioInput)
        return
    from .frontend import LogMelFrontend  # torch loads when frontends are first needed

    register(LogMelFrontend)


@hookimpl
def register_readers(register) -> None:
    def audio_reader(info):
        from .reader import AudioReader  # NumPy + soundfile: no torch in a deployment

        return AudioReader.from_info(info)

    register("audio", audio_reader)


@hookimpl
def register_models(register) -> None:
    from pathlib import Path

    bundle = Path(__file__).parent / "models" / "speech.safetensors"
    if bundle.exists():
        register("speech", bundle, "English speech (read sentences; spelled letters, digits, numbers, commands), 16 kHz")
