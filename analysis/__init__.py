"""Analysis of mirrorleap results: reads the tables a run or sweep wrote, never the model.

``python run.py analyze DIR`` (``analysis.cli.cmd_analyze``) writes everything to DIR/analysis/:
bursts.parquet, lags.parquet, conditions.parquet, effects.parquet, the figures and report.md/html.
"""
