"""What runs around the algorithm: signals, progress bars, devices and memory checks (no training maths)."""
