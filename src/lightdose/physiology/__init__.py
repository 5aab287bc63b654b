"""Microcirculation: local skin perfusion as laser-Doppler flowmetry records it (:mod:`.perfusion`), its
calibration to published local-heating data (:mod:`.calibration`) and sessions coupling it two-way with the
bioheat solver (:mod:`.session`). See docs/perfusion.md.
"""
