"""Read: export files (CSV, TSV, Excel, X12 835) and the infusion log, to canonical lines.

``base`` defines the ``Reader`` protocol and the ``FileReport`` every reader returns;
``registry`` lists the readers, asked in order from each file's first bytes; ``loader``
reads a run's files through it. ``values`` is the one grammar for dates, times, money,
units and codes; ``aliases`` maps export headers to fields.
"""
