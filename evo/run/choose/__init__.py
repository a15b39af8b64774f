"""Model choice over the accounts by ABC-SMC (pyabc), with a recovery test.

`spec` reads and checks a choice spec, `summaries` is the registry of named summaries of a run,
`model` turns one account into a seeded pyabc model, `smc` runs pyabc (one core, several, or a
dask cluster; resumable from its database) and reads its tables, `cli` is ``run.py choose``.
The report and figures are the analysis's (`analysis.choose`), read from the tables written here.
"""
