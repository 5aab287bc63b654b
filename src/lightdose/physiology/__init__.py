"""Microcirculation: skin perfusion, laser-Doppler recordings and their analysis."""
