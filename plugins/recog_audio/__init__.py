"""Built-in recog plugin: audio."""
