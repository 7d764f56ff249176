"""Many images on Ray (one task per image: train, sample, score), and the Places50 benchmark through it."""
