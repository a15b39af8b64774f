"""The browser view: Mesa's SolaraViz page over the real `MirrorModel` (`solara run viz/app.py`).

`evo` (the model) never imports this package.
"""
