"""Plain-PyTorch building blocks of the TTS networks."""
