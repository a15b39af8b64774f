"""mirrorleap: did a stronger mirror system cause the Great Leap Forward? Model, kernels, runs."""
