"""Built-in recog plugin: image."""
