"""Built-in recog plugin: tts."""
