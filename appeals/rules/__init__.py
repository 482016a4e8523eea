"""Rules as data: the denial map, payer rules, the practice file and the pattern catalogue."""
