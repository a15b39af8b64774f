"""The model: parameters, per-individual state, the numba rules, the Mesa model and its measures.

Nothing here imports what runs the model (`evo.run`), the scenarios or the analysis. Importing
the package first points numba's cache at a folder keyed on the model's sources
(`evo.core.kernel_cache`), before any module here imports numba.
"""

from evo.core import kernel_cache

kernel_cache.configure()
