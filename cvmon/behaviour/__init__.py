"""Service behaviour read from body keypoints (issue 18): pure functions, no I/O."""
