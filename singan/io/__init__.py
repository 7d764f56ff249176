"""Files: images, checkpoints and their schema, the output layout, atomic writes, locks, result folders."""
