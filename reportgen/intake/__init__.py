"""The intake service (issue 26): members send their files for a period, get a receipt, see what is wrong.

    store      SQLite (WAL) and content-addressed files; append-only versions; backup; the sweep at start
    auth       keys (scrypt-hashed), the check of a key, rate limits
    accounts   issuing, rotating and revoking keys; web sessions
    calendar   each period's opening, due and closing times (config.yaml intake.calendar)
    upload     multipart parsed while it streams, every bound checked as bytes arrive
    checking   the files checked with the build's own rules (inputs/), the org and period checks
    service    the Starlette app: the API of shared/spec/intake-api.md and the web pages
    cli        ``reportgen intake serve|member|staff|withdraw|backup``

The member-side client is ``reportgen member send`` (at_source/send.py). The schema and what a build
reads are in runtime/intake_db.py.
"""
