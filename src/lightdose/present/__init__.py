"""Presentation: what people and programs see of every stage's result — JSON in display units (mW/cm², J/cm²,
minutes where people count in minutes), terminal tables, plots and the HTML report. No physics happens here: every
number comes from a stage's result. The command line, the reports and the web app all use these modules.

One module per stage (``present/dose.py`` for the dose at depth, ...), plus :mod:`lightdose.present.figures` for
what every plot shares.
"""
