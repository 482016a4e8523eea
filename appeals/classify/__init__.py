"""Classify: group lines into encounters, test conditions, match the denial map, then add
each denied line's evidence, corrections and deadline."""
