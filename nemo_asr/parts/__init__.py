"""Plain-PyTorch building blocks of the ASR data path (no framework imports)."""
