"""The member side: ``reportgen member aggregate`` and ``reportgen member init``.

Run by a member's data officer on the member's own machine, over an export
from its client-management system (the format and the counting rules are
fixed in ``shared/spec/member-export.md``; ``docs/member-guide.md`` explains
them in plain words). One module per stage:

    csvread   the five CSV files, read fast (pyarrow) or carefully (csv), with line numbers
    mapping   the mapping file (CMS column names and codes → the contract's), and ``init``
    export    every check of the export; typed arrays for counting
    count     the counting rules, vectorised
    contract  the produced rows checked with the data contract's own rules
    leaves    "What will leave your organisation": the HTML page and the terminal summary
    manifest  the files' SHA-256 for the federation's records
    output    writing the files atomically (nothing at all when anything is wrong)
    cli       the click group ``member``

Nothing here imports WeasyPrint, matplotlib, pikepdf or a browser: a member
installs reportgen's core alone (see the member guide).
"""
