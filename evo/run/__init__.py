"""What runs the model: one run to its tables, the published validations, sweeps, the command line.

Reads scenarios (`scenarios`) and the model (`evo.core`); never the analysis.
"""
