"""The model: parameters, per-individual state, the numba rules, the Mesa model and its measures.

Nothing here imports what runs the model (`evo.run`), the scenarios or the analysis.
"""
