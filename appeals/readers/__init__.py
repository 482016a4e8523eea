"""Read: export files (CSV, TSV, Excel, X12 835) and the infusion log, to canonical lines.

``loader.load_files`` picks a reader per file from its first bytes; ``values`` is the one
grammar for dates, times, money, units and codes; ``aliases`` maps export headers to fields.
"""
