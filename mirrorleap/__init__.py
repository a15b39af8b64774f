"""The command line, the top layer: `python run.py ...` and the installed `mirrorleap ...`.

It dispatches to every layer below (`evo.run`, the sweep, the analysis, the browser view), so it
sits above them all and nothing of the project imports it.
"""
