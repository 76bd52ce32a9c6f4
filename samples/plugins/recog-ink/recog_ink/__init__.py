"""recog-ink: online handwriting (pen strokes) for recog's handwriting model. See the package README."""
