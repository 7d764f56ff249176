"""The algorithm: resize, pyramid, networks, optimiser, model, training and sampling (torch only, no files).

Importing it first sets the OpenMP wait policy, which must be in place before torch loads: OpenMP
threads that spin while waiting make small convolutions up to 100x slower as soon as anything else
runs on the machine (measured: 5 ms -> 620 ms per G step at the coarsest scale on 2 busy cores);
passive waiting keeps them at 1-thread speed.
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
