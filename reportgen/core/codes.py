"""Every finding code reportgen reports, in one registry: code, severity, meaning, hint.

A finding's code is a stable interface: members' portals, staff scripts and
the guides depend on it. Every code any stage can report is declared here
once; ``docs/finding-codes.md`` is generated from this table
(``python -m reportgen.core.codes > docs/finding-codes.md``) and the tests check
both ways that the page, this table and the code agree (and, with
``REPORTGEN_STRICT_CODES=1``, that no finding is ever made with a code that is
not declared here).

``severity`` is the severity the code is reported with ("either" where it
depends on the build: a warning in a draft, an error for the final). The
detailed guides (editors' guide, data contract, review workflow, member guide)
give examples for each code; ``guide`` names the page.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    severity: str  # "error" | "warning" | "either"
    meaning: str
    hint: str
    guide: str = ""  # the docs/ page with examples


_EDIT = "editors-guide.md"
_DATA = "data-contract.md"
_STAFF = "policy-staff-guide.md"
_REVIEW = "review-workflow.md"
_TPL = "templates.md"
_LIMITS = "limits.md"
_MEMBER = "member-guide.md"
_MREP = "member-reports.md"
_INTAKE = "intake-operator.md"

# One section per area, in the order a build meets them.
_CODES: list[Code] = [
    # ---- config.yaml ----------------------------------------------------------------
    Code("config.not-found", "error", "there is no config file where reportgen looked",
         "run reportgen from the project folder, or pass --config PATH", _STAFF),
    Code("config.invalid-value", "error", "a config value has the wrong type or is out of range",
         "the message names the key and what it expects", _STAFF),
    Code("config.unknown-key", "error", "a key config.yaml does not know (a typo, usually)",
         "correct the name; the message suggests the nearest known key", _STAFF),
    Code("config.missing-key", "error", "a required config key is missing", "add the key", _STAFF),
    Code("config.no-key", "error", "no secret key for the confidential rounding is set",
         "set the environment variable named by confidentiality.key_env", _STAFF),

    # ---- YAML files (config, narratives, events) -------------------------------------
    Code("yaml.syntax", "error", "the file is not valid YAML (an unquoted colon, a tab, an unclosed quote…)",
         "put text in double quotes or use `field: |`; indent with spaces", _EDIT),
    Code("yaml.duplicate-key", "error", "the same key appears twice at one level", "keep one of them", _EDIT),
    Code("yaml.not-utf8", "error", "the file is not UTF-8 text", "save it as UTF-8", _EDIT),
    Code("yaml.unreadable", "error", "the file cannot be read", "check that it exists and can be read", _EDIT),
    Code("yaml.control-character", "error", "an invisible control character (NUL, ESC…) is in the file",
         "delete it and save the file as plain UTF-8 text", _EDIT),
    Code("yaml.too-large", "error", "the file is larger than a config or narrative file can be (docs/limits.md)",
         "check that it is the right file", _LIMITS),
    Code("yaml.too-deep", "error", "values nested deeper than any reportgen file needs (docs/limits.md)",
         "check the indentation and the brackets", _LIMITS),
    Code("yaml.too-big", "error", "the file expands to too many values (an alias bomb, or a self-reference)",
         "write each value out once", _LIMITS),
    Code("yaml.too-long", "error", "one value is longer than the limit (docs/limits.md)",
         "shorten it or split it over several fields", _LIMITS),
    Code("yaml.alias", "error", "a YAML anchor or alias (&name, *name) in a narrative file",
         'write the text out in full; quote text that starts with * or & ("*…")', _EDIT),

    # ---- the member register and policy events --------------------------------------
    Code("register.not-found", "error", "the member register file is missing",
         "set data.members in config.yaml to the register's path", _DATA),
    Code("register.not-utf8", "error", "the member register is not UTF-8 text", "save it as CSV UTF-8", _DATA),
    Code("register.too-large", "error", "the member register is larger than the limit (docs/limits.md)",
         "check that data.members names the register", _LIMITS),
    Code("register.unreadable", "error", "the member register cannot be read", "check the file's permissions", _DATA),
    Code("register.missing-column", "error", "the register lacks a required column",
         "the header must name org_id, name, network, regions, active_from, active_to", _DATA),
    Code("register.missing-org", "error", "a register row has no org_id", "fill in the member's code", _DATA),
    Code("register.duplicate-org", "error", "an org_id appears twice in the register", "keep one row per member",
         _DATA),
    Code("register.unknown-region", "error", "a member's regions list an unknown region code",
         "use the ISO 3166-2:NZ codes (AKL, WGN…)", _DATA),
    Code("register.bad-period", "error", "a member's active dates are not quarters",
         "write quarters like 2024Q3; leave active_to empty while the member is active", _DATA),
    Code("register.bad-delivery", "error", "a member's delivery (optional column) is not individual or "
         "community_leaders", "leave it empty for services to individuals; community_leaders where community "
         "leaders represent groups", _DATA),
    Code("events.not-found", "warning", "there is no policy events file; trend charts carry no events",
         "create it, or set data.events in config.yaml", _DATA),
    Code("events.not-a-list", "error", "the events file is not a list of events",
         "write one `- date: … title: …` item per event", _DATA),
    Code("events.bad-event", "error", "an event lacks its date or title, or its date is not an ISO date",
         "give every event `date: YYYY-MM-DD` and a `title`", _DATA),
    Code("events.unknown-field", "warning", "an event has a field reportgen does not read",
         "use date, title, description and source", _DATA),

    # ---- submissions: reading (rule 1) ----------------------------------------------
    Code("data.no-submissions", "error", "the submissions folder is missing or holds no .csv/.xlsx file",
         "set data.submissions in config.yaml", _DATA),
    Code("data.unreadable", "error", "a submission file cannot be read", "fix the file's permissions", _DATA),
    Code("data.changed-while-read", "error", "a submission file, the register or the intake store changed while "
         "the build or check read them: what was read may mix the old and the new", "run the command again", _DATA),
    Code("data.too-large", "error", "a submission file (or worksheet) is larger than the limit (docs/limits.md)",
         "send one member's submission per file", _LIMITS),
    Code("data.field-too-long", "error", "a cell is longer than any code or number can be (docs/limits.md)",
         "check for text pasted into the wrong column", _LIMITS),
    Code("data.value-too-large", "error", "a value above the largest reportgen accepts (10^12, docs/limits.md)",
         "check the value: no count is this large", _DATA),
    Code("data.not-text", "error", "a .csv file holds binary data", "send UTF-8 CSV, or an .xlsx with that ending",
         _DATA),
    Code("data.not-utf8", "error", "a CSV file is not UTF-8", 'save it as "CSV UTF-8"', _DATA),
    Code("data.empty-file", "error", "a file (or worksheet) is empty", "send a header row and the rows", _DATA),
    Code("data.bad-csv", "error", "a CSV file cannot be parsed (an unclosed quote, usually)",
         "close the quote mark", _DATA),
    Code("data.bad-xlsx", "error", "an .xlsx file is not a readable workbook", "save it again as .xlsx", _DATA),
    Code("data.workbook-too-big", "error", "an .xlsx workbook expands to more than reportgen reads: its uncompressed "
         "size, a part, its shared strings, one text, its worksheets or files (docs/limits.md)",
         "check that it is the member's submission; a submission workbook is small", _LIMITS),
    Code("data.xlsx-dimension", "warning", "a worksheet's stated size (its <dimension>) is smaller than the cells it "
         "holds; every row was read", "nothing is lost; saving the workbook again from a spreadsheet program "
         "corrects it", _DATA),
    Code("data.not-a-file", "error", "a path named like a data file is not a file reportgen reads: a folder, a named "
         "pipe, a device, a socket, a broken link, a link leaving the project, or a link to a folder (not followed)",
         "put the member's file itself there (a copy, not a link)", _DATA),
    Code("data.missing-column", "error", "a required column is absent", "name all seven columns, comma-separated",
         _DATA),
    Code("data.repeated-column", "error", "a column appears twice in the header", "remove one of them", _DATA),
    Code("data.extra-column", "warning", "a column not in the contract; it is ignored", "remove it", _DATA),
    Code("data.short-row", "error", "a row has fewer fields than the header", "check for missing commas", _DATA),
    Code("data.long-row", "error", "a row has more fields than the header (often 1,200 unquoted)",
         "write 1200, without the thousands separator", _DATA),
    Code("data.no-rows", "warning", "a file has a header but no rows",
         "tell the data team if the member had nothing to report", _DATA),
    Code("data.bad-period", "error", "a period is not YYYYQn or YYYYHn", "write 2025Q1 or 2025H1", _DATA),
    Code("data.bad-value", "error", "a value is not a plain number ≥ 0",
         "plain digits with an optional decimal point", _DATA),

    # ---- submissions: codes, numbers, keys (rules 2–4) --------------------------------
    Code("data.unknown-member", "error", "an org_id not in the member register", "use the register's code", _DATA),
    Code("data.register-mismatch", "error", "none of the submissions' org_ids is in the member register: data.members "
         "names the wrong file or an old register (one finding, at the setting, instead of one per row)",
         "check that data.members in config.yaml names the current member register", _DATA),
    Code("data.unknown-region", "error", "a region that is not one of the 16 region codes",
         "use the code the hint suggests", _DATA),
    Code("data.unknown-measure", "error", "a measure not in the catalogue", "use the code the hint suggests", _DATA),
    Code("data.unknown-dimension", "error", "a dimension that is neither total nor in the catalogue",
         "use the code the hint suggests", _DATA),
    Code("data.dimension-not-allowed", "error", "the dimension is not allowed for the measure",
         "use a dimension the catalogue allows for it", _DATA),
    Code("data.unknown-category", "error", "a category that is not one of its dimension's",
         "use the code the hint suggests", _DATA),
    Code("data.category-with-total", "error", "a category on a total row", "leave the category empty", _DATA),
    Code("data.not-whole", "error", "a count that is not a whole number", "counts must be whole numbers", _DATA),
    Code("data.hours-rounded", "warning", "fractional hours, rounded up to the next whole hour",
         "send whole hours", _DATA),
    Code("data.duplicate-key", "error", "the same cell sent twice", "remove one of the two rows", _DATA),

    # ---- submissions: rows against each other (rules 5–9) ------------------------------
    Code("data.breakdown-sum", "error", "a single-response breakdown does not add up to its total",
         "correct the categories or the total", _DATA),
    Code("data.breakdown-not-sent", "warning", "a single-response breakdown not sent: counted as not stated",
         "send the breakdown", _DATA),
    Code("data.breakdown-without-total", "error", "a breakdown without the measure's total row",
         "send the total row", _DATA),
    Code("data.category-exceeds-total", "error", "a multiple-response category above its total",
         "no category can exceed the total", _DATA),
    Code("data.outcome-sum", "error", "improved + same + declined is not outcome_assessed for a domain",
         "correct the outcome rows", _DATA),
    Code("data.new-exceeds-clients", "error", "new_clients is above the clients total",
         "new clients are among the clients", _DATA),
    Code("data.missing-clients", "error", "an org, period and region with rows but no clients total",
         "send the clients total", _DATA),

    # ---- submissions: against the register and over time (rules 10–14, periods) ---------
    Code("data.period-empty", "error", "no member sent any rows for the period released (or one of its quarters)",
         "build a period whose returns are in", _DATA),
    Code("data.missing-quarter", "warning", "an active member sent no rows for a quarter of the period",
         "ask the member for its submission, or correct its active dates", _DATA),
    Code("data.unidentified-share", "warning", "unidentified attendances above the configured share",
         "record attendees individually where possible", _DATA),
    Code("data.large-movement", "warning", "a member's clients moved by more than the configured share",
         "check the figures with the member", _DATA),
    Code("data.region-not-registered", "warning", "rows for a region outside the member's registered regions",
         "correct the region, or the register", _DATA),
    Code("data.inactive-period", "warning", "rows for a quarter outside the member's active dates",
         "correct the period, or the register", _DATA),
    Code("data.implausible-value", "warning", "a value above the plausibility limit", "check the value", _DATA),
    Code("data.half-quarter-mismatch", "warning",
         "half-year rows of an additive measure differ from the sum of its quarters (the half-year is used)",
         "send one or the other, or make them agree", _DATA),
    Code("data.half-above-quarters", "warning",
         "a half-year clients total above the sum of its two quarters (distinct people cannot outnumber them)",
         "count each person once over the half-year", _DATA),
    Code("data.half-below-quarter", "warning", "a half-year clients total below one of its quarters",
         "count every person seen in either quarter", _DATA),
    Code("data.half-equals-sum", "warning",
         "a member's half-year clients equal the sum of its quarters in every region: likely summed, not distinct",
         "count each person once over the half-year", _DATA),
    Code("data.summed-from-quarters", "warning",
         "clients sent only for quarters: the half-year is their sum and may count people twice",
         "send distinct half-year clients rows", _DATA),

    # ---- narratives ----------------------------------------------------------------------
    Code("narrative.no-report", "error", "the period's report narrative is missing",
         "create it with: reportgen new report", _EDIT),
    Code("narrative.not-a-mapping", "error", "a narrative file is not a set of `field: value` lines",
         "remove the leading dashes", _EDIT),
    Code("narrative.unknown-key", "error", "a field reportgen does not know (a typo, usually)",
         "correct the field name", _EDIT),
    Code("narrative.missing-key", "error", "a required field is missing", "add the field", _EDIT),
    Code("narrative.empty", "error", "a required field is empty", "write the text", _EDIT),
    Code("narrative.invalid-value", "error", "a field's value is not what it should be (a date, a list…)",
         "the message says what is expected", _EDIT),
    Code("narrative.unknown-file", "warning", "a file in the narratives folder that reportgen does not read",
         "name it report.yaml, regions/<CODE>.yaml or stories/<name>.yaml", _EDIT),
    Code("narrative.unknown-region", "error", "an unknown region code in a narrative or a file name",
         "use a region code from config.yaml", _EDIT),
    Code("story.unknown-voice", "error", "a story's voice is not one of the known voices",
         "client, whānau, staff, kaimahi or volunteer", _EDIT),
    Code("story.unknown-theme", "error", "a story's theme is not a need code", "use need codes from the data contract",
         _EDIT),
    Code("story.unknown-consent", "error", "a story's consent status is not given, pending or withdrawn",
         "given, pending or withdrawn", _EDIT),
    Code("story.consent-date", "error", "a story's consent is dated after the day of the build",
         "write the date the signed consent was given; a consent still to come is status: pending", _EDIT),
    Code("story.withheld", "warning", "a story is withheld: drafts show a placeholder box, finals leave it out",
         "give consent, approve it and change names to publish it", _EDIT),
    Code("story.unknown-member", "warning", "a story's member is not an org_id of the member register (it is "
         "left out of every member's report)", "write the org_id of the member that gathered the story", _EDIT),
    Code("story.withdrawn", "warning", "a story's consent was withdrawn: it appears nowhere", "delete the file",
         _EDIT),
    Code("placeholder.unknown", "either", "a placeholder names something that does not exist",
         "correct the name (the message suggests the nearest)", _EDIT),
    Code("placeholder.syntax", "either", "a placeholder is not written correctly", "close the braces", _EDIT),
    Code("placeholder.unsafe", "either", "a placeholder tried to reach something internal",
         "use only the documented placeholders", _EDIT),
    Code("placeholder.not-allowed", "either", "a template statement or method call in a narrative",
         "write the text; use only {{ … }} placeholders", _EDIT),
    Code("placeholder.too-big", "either", "a placeholder would produce too much text",
         "use only the documented placeholders", _EDIT),
    Code("placeholder.too-slow", "either", "a field's placeholders took longer than the time limit",
         "use only the documented placeholders", _EDIT),
    Code("placeholder.withheld", "either", "a sentence's figure is not published (suppressed, confidential or not "
         "available): the text says so in words where the figure would be",
         "rewrite the sentence without the figure, or say why it is not published", _EDIT),
    Code("placeholder.error", "either", "a placeholder could not be evaluated (division by zero, arithmetic on text)",
         "use only the documented placeholders", _EDIT),
    Code("claim.false", "either", "a sentence's check does not hold on the published figures",
         "rewrite the sentence so that it says what the figures show, or correct the check", _EDIT),
    Code("claim.not-available", "either", "a sentence's check names a figure that is suppressed or not available",
         "write the sentence without that figure", _EDIT),
    Code("claim.syntax", "error", "a [[check: …]] is not written as '<figure> is <test>'",
         "see 'Checks' in the editors' guide", _EDIT),
    Code("claim.unlike", "error", "a check compares unlike figures (a share with a count), or asks a count to go up",
         "compare like with like: a share with a share, a count with a count", _EDIT),
    Code("claim.unknown", "error", "a check names something that is not a figure",
         "use a figure's name as in a placeholder", _EDIT),
    # every sentence true of the figures beside it (issue 24: narratives/statements.py, periods.py)
    Code("claim.not-material", "either", "a sentence's check says up, down, above or the highest, but the difference "
         "is within what rounding and who reported can explain", "say the figure is little changed (or about the same, "
         "among the highest), and check that instead", _EDIT),
    Code("claim.one-member", "warning", "the change a sentence speaks of comes mostly from one member's flagged large "
         "movement: the text carries a caveat", "confirm the figures with the member", _EDIT),
    Code("statement.unverified", "either", "a sentence states a direction, a ranking, a comparison or a fact about who "
         "reported, without a check", "add the check that makes it true, or [[no check: why]]", _EDIT),
    Code("statement.typed-number", "either", "a sentence states a number typed as text, not from a placeholder",
         "write it as a placeholder, or check it", _EDIT),
    Code("statement.seasonal", "either", "a sentence gives a change on the previous period without saying it is not "
         "seasonally adjusted", "say so, or compare with a year earlier", _EDIT),
    Code("statement.no-reason", "error", "a [[no check]] without its reason", "write why the figures cannot test "
         "the sentence", _EDIT),
    Code("period.other-period", "either", "narrative text names another period as if it were the report's, or a "
         "period after it", "write {{ period }}, or say what the period is compared with", _EDIT),
    Code("period.no-year", "either", "narrative text names a month or a quarter without its year, outside the report's "
         "period", "give the year", _EDIT),
    Code("period.after-period", "either", "narrative text names a date after the period the report covers",
         "say when, or remove the date", _EDIT),
    Code("period.publication-date", "either", "the release date is before the period's end or before its data close",
         "date the release after the period's end and the data's closing date", _EDIT),
    Code("period.next-release", "either", "publication.next_release names this period (or an earlier one), or a date "
         "not after this release", "name the next period's release and when it is due", _EDIT),
    Code("markdown.raw-html", "error", "HTML in a narrative", "use Markdown instead; remove the tag", _EDIT),
    Code("markdown.image", "error", "an image in a narrative", "ask for a chart or figure instead", _EDIT),
    Code("markdown.unsafe-link", "error", "a link with a scheme other than https, http or mailto",
         "link only to https://…, http://… or mailto:…", _EDIT),
    # language markup [[mi: …]] (reportgen/documents/language.py, issue 18)
    Code("lang.malformed", "error", "'[[' that is not language markup [[mi: phrase]]",
         "write [[mi: the phrase]]: a language, a colon, the phrase, two closing brackets", _EDIT),
    Code("lang.unknown-language", "error", "language markup naming a language reportgen does not know",
         "use mi (te reo Māori), sm, to, fj, niu, rar, tkl or en", _EDIT),
    Code("lang.empty", "error", "language markup with no phrase", "write the phrase after the colon", _EDIT),
    Code("lang.unbalanced", "error", "emphasis that starts inside language markup and ends outside it",
         "put *…* wholly inside or wholly outside the brackets", _EDIT),
    Code("privacy.email", "error", "an e-mail address in narrative text",
         "remove it; allow the publisher's own address in privacy.allow", _EDIT),
    Code("privacy.phone", "error", "a New Zealand phone number in narrative text",
         "remove it; allow the publisher's own number in privacy.allow", _EDIT),
    Code("privacy.nhi", "error", "an NHI number in narrative text", "remove it", _EDIT),
    Code("privacy.ird", "error", "an IRD number in narrative text", "remove it", _EDIT),
    Code("privacy.address", "error", "a street address in narrative text", "name only the town or suburb", _EDIT),
    Code("privacy.name", "error", "a name on the privacy.names list", "use the changed name", _EDIT),
    Code("scaffold.no-source", "error", "reportgen new --from: the period named has no report to start from",
         "name a period whose narratives exist", _EDIT),
    Code("scaffold.exists", "error", "reportgen new: the file already exists", "edit it, or choose another name",
         _EDIT),
    Code("scaffold.bad-name", "error", "reportgen new: the name is not lower-case words and hyphens",
         "e.g. --name kai-on-the-table", _EDIT),
    Code("scaffold.unknown-region", "error", "reportgen new region: an unknown region code",
         "use a region code from config.yaml", _EDIT),

    # ---- documents, PDF and the disclosure audit -----------------------------------------
    Code("template.syntax", "error", "a template is not valid Jinja", "correct the line shown", _TPL),
    Code("template.undefined", "error", "a template uses a name its context does not have",
         "use the names docs/templates.md lists", _TPL),
    Code("template.not-found", "error", "a template includes or extends a file that is not in templates/",
         "include only files in templates/", _TPL),
    Code("template.unsafe", "error", "a template tried to reach something the sandbox blocks",
         "templates format what they are given", _TPL),
    Code("template.too-big", "error", "a template would build a text, number or document beyond the limits",
         "see docs/limits.md", _LIMITS),
    Code("template.too-slow", "error", "a template ran longer than the time limit (a runaway loop)",
         "look for a loop that repeats too often", _LIMITS),
    Code("template.error", "error", "a template failed while rendering (1/0, arithmetic on text…)",
         "correct the line shown", _TPL),
    Code("render.blocked-url", "warning", "a document asked for a file or address the PDF renderer does not fetch",
         "documents may only use files in templates/ and data: URLs", _TPL),
    Code("audit.failed", "error", "a disclosure proof failed: the bundle would break a confidentiality rule",
         "a bug in reportgen: report it with the build log", _STAFF),
    Code("preview.no-documents", "error", "the preview's build produced no documents",
         "check the findings above it", _STAFF),

    Code("preview.rebuild-failed", "error", "the preview's rebuild stopped on something unexpected; the watcher goes on",
         "fix the file named, or restart the preview; the message says what happened", _STAFF),

    # ---- feedback: members' private reports (reportgen member-reports) ---------------------------------
    Code("feedback.no-release", "error", "reportgen member-reports: the period has no draft or final yet",
         "build one first: reportgen build PERIOD (it makes every member's report)", _MREP),
    Code("feedback.inputs-changed", "error", "reportgen member-reports: the inputs changed since the latest draft "
         "or final, so the published figures beside the member's would be figures no bundle has",
         "build a new draft (reportgen build PERIOD), which makes every member's report", _MREP),
    Code("feedback.not-reporting", "error", "reportgen member-reports --org: the member has no figures in the "
         "period (or is not in the register), so it has no report", "check the org_id; the hint names the "
         "nearest reporting member", _MREP),

    # ---- the machine: folders, disk, memory, other builds ------------------------------------
    Code("env.permission-denied", "error", "reportgen may not write a file or folder it needs",
         "give your user write access, or point output.folder / REPORTGEN_CACHE_DIR elsewhere", _STAFF),
    Code("env.read-only", "error", "a folder reportgen writes is on a read-only file system",
         "build from a writable copy, or point the output folder at a writable disk", _STAFF),
    Code("env.disk-full", "error", "the disk (or the quota) is full", "free space, then build again", _STAFF),
    Code("env.not-a-folder", "error", "a file stands where reportgen needs a folder (or the other way round)",
         "move it aside, or choose another path", _STAFF),
    Code("env.io-error", "error", "the system could not read or write a file", "check the disk and the path", _STAFF),
    Code("env.out-of-memory", "error", "the build reached its memory ceiling",
         "check for an unusually large input; raise REPORTGEN_MEMORY_LIMIT if the inputs are right", _LIMITS),
    Code("env.worker-died", "error", "a worker process of the build died (out of memory, or killed)",
         "build again; with --jobs 1 if it recurs", _STAFF),
    Code("env.locked", "error", "another build of the same project is running",
         "let it finish; builds of one project run one at a time", _STAFF),
    Code("env.source-date-epoch", "error", "SOURCE_DATE_EPOCH is set to something that is not a build time: not a "
         "whole number of seconds, negative, or after the year 9999", "set it to the seconds since 1970-01-01 UTC "
         "(e.g. $(git log -1 --format=%ct)), or unset it", _STAFF),
    Code("env.missing-extra", "error", "a command needs packages of the 'publish' extra (PDF layout, charts, the "
         "preview) that are not installed", "pip install 'reportgen[publish]'; reportgen doctor lists what is "
         "installed", _STAFF),
    Code("cache.not-written", "warning", "the cache folder could not be written (full or read-only)",
         "free space or fix permissions; the build is complete without the cache", _STAFF),

    # ---- the final -------------------------------------------------------------------------
    Code("final.exists", "error", "a final of the period already exists; it is never overwritten",
         'make a revision: reportgen build PERIOD --final --revision "what changed and why"', _REVIEW),
    Code("final.story-not-ready", "error", "a withheld story stops the final",
         "approve it with consent given, or remove its file", _REVIEW),
    Code("final.placeholder", "error", "an unresolved placeholder stops the final", "fix the placeholder", _REVIEW),
    Code("final.empty-section", "error", "a report section without text stops the final",
         "write the section in the report narrative", _REVIEW),
    # issue 27: governed releases
    Code("final.review-missing", "error", "a review the final needs (config governance.reviews; by default the "
         "Māori data review) is not recorded", "have the items of the draft's review pack reviewed, then: "
         'reportgen review PERIOD --record ID --by "NAME"', _STAFF),
    Code("final.review-out-of-date", "error", "a review was recorded for items (figures, sentences) that have "
         "changed since", "have the changed items reviewed, then record the review again", _STAFF),
    Code("governance.unknown-review", "error", "reportgen review --record names a review config.yaml does not list",
         "name one of the reviews under governance.reviews", _STAFF),
    Code("governance.unreadable-record", "error", "a review record cannot be read (the file was edited by hand?)",
         "record the review again with reportgen review; the file is written by it", _STAFF),

    # ---- the member side (reportgen member): the export folder and its files -----------
    Code("member.missing-file", "error", "clients.csv or sessions.csv is not in the export folder",
         "export both files (the other three are optional); check the folder name given", _MEMBER),
    Code("member.extra-file", "warning", "a .csv file in the export folder that is not one of the five",
         "nothing to do if it is not part of the export; otherwise rename it to the expected name", _MEMBER),
    Code("member.not-a-file", "error", "a .csv name in the export folder that is not a file reportgen reads: a "
         "folder, a named pipe, a device, a socket, a broken link, or a link out of the export folder",
         "export the file itself into the folder (a copy, not a link, pipe or device)", _MEMBER),
    Code("member.file-too-large", "error", "a file is larger than reportgen reads (512 MiB)",
         "export one file per year or per quarter range, or remove columns the export does not need", _MEMBER),
    Code("member.unreadable", "error", "a file cannot be opened", "check its permissions", _MEMBER),
    Code("member.not-text", "error", "a file is not text (a spreadsheet saved under a .csv name, say)",
         "save it from the CMS or spreadsheet as 'CSV UTF-8'", _MEMBER),
    Code("member.not-utf8", "error", "a file is not UTF-8 text (usually Latin-1 or Windows-1252)",
         "save it as 'CSV UTF-8'; the message names the first line and field with another encoding", _MEMBER),
    Code("member.empty-file", "error", "a file has no header row", "export the file with its header row", _MEMBER),
    Code("member.no-rows", "warning", "a file has a header and no rows",
         "an optional file with no rows sends zeros for its measures; check that this is true", _MEMBER),
    Code("member.bad-csv", "error", "the file cannot be read as CSV",
         "check for an unclosed quote mark near the line named", _MEMBER),
    Code("member.missing-column", "error", "a required column is missing from the header",
         "add the column, or name the CMS's column in the mapping file's `columns` section", _MEMBER),
    Code("member.repeated-column", "error", "a column appears twice in the header (after mapping)",
         "remove or rename one of the two columns", _MEMBER),
    Code("member.extra-column", "warning", "columns that the export format does not use; they are ignored",
         "nothing to do; they are never read (names, addresses and notes can stay in the export)", _MEMBER),
    Code("member.short-row", "error", "a row has fewer fields than the header",
         "check for missing commas or an unclosed quote mark", _MEMBER),
    Code("member.long-row", "error", "a row has more fields than the header",
         "put text containing commas in double quotes", _MEMBER),
    Code("member.field-too-long", "error", "a field is longer than 10,000 characters",
         "check for an unclosed quote mark, or free text exported in the wrong column", _MEMBER),
    # ---- the member side: values in the export ------------------------------------------
    Code("member.missing-value", "error", "a required value is empty", "fill it in, or remove the row", _MEMBER),
    Code("member.bad-date", "error", "a date that is not a real YYYY-MM-DD date (or a birth year not YYYY)",
         "write dates as YYYY-MM-DD (2025-03-30); check the day exists in that month", _MEMBER),
    Code("member.born-after-session", "error", "a client's date or year of birth is after their first session in the "
         "quarters asked for (the age counted would be wrong)",
         "correct the birth date (or year) or the session date", _MEMBER),
    Code("member.born-after-uncounted-session", "warning", "a client's date or year of birth is after a session "
         "outside the quarters asked for (that session is not counted, so nothing sent depends on it)",
         "correct the birth date (or year) or the session date in the CMS", _MEMBER),
    Code("member.uncounted-row", "warning", "a problem in a row dated outside the quarters asked for that cannot change "
         "what is sent (hours.csv and needs.csv but their dates; a session's service type, unidentified attendees or "
         "lack of attendees): the row is not counted", "correct it in the CMS when you can; nothing sent depends on it",
         _MEMBER),
    Code("member.unknown-code", "error", "a code that is not a contract code after mapping",
         "map the CMS's value in the mapping file's `codes` section, or correct it; the hint names the "
         "nearest contract code", _MEMBER),
    Code("member.bad-number", "error", "unidentified or hours is not a number ≥ 0 (unidentified: a whole number)",
         "write plain digits with an optional decimal point (12, 7.5); no minus sign, no thousands separator", _MEMBER),
    Code("member.bad-rating", "error", "a rating that is not a whole number from 1 to 5",
         "ratings are whole numbers 1–5; correct or remove the row", _MEMBER),
    Code("member.duplicate-client-key", "error", "a client_key appears twice in clients.csv",
         "each person once in clients.csv; merge the two records in the CMS", _MEMBER),
    Code("member.duplicate-session-id", "error", "a session_id appears twice in sessions.csv",
         "each session once; one row per session with all its attendees in client_keys", _MEMBER),
    Code("member.unknown-client", "error", "a client_key that is not in clients.csv",
         "export every client who attended a session, has a need or an assessment", _MEMBER),
    Code("member.no-attendee", "error", "a session with no identified and no unidentified attendee",
         "give the attendees' client_keys, or the number of unidentified attendees", _MEMBER),
    Code("member.repeated-attendee", "warning", "a client_key listed twice in one session (counted once)",
         "list each attendee once", _MEMBER),
    Code("member.outcome-no-session", "warning",
         "an outcome whose client has no session on or before the end assessment (not counted)",
         "check the assessment date, or the client's sessions", _MEMBER),
    Code("member.outcome-region-quiet", "warning",
         "an outcome falls to a region with no session and no hours in its quarter (not sent)",
         "check the client's last session before the end assessment, or the region's sessions", _MEMBER),
    # ---- the member side: the mapping file ----------------------------------------------
    Code("member.mapping-not-found", "error", "the mapping file given does not exist",
         "check the path given to --mapping", _MEMBER),
    Code("member.mapping-invalid", "error", "the mapping file does not have the expected shape",
         "see the mapping file section of the member guide; `reportgen member init` writes one", _MEMBER),
    Code("member.mapping-unknown-key", "error", "an unknown section, file, column or field name in the mapping",
         "correct the name; the hint names the nearest known one", _MEMBER),
    Code("member.mapping-empty", "error", "a mapping entry left empty (a template line not filled in)",
         "write the contract code the CMS value means, or delete the line", _MEMBER),
    Code("member.mapping-unknown-code", "error", "a mapping entry whose target is not a contract code",
         "write one of the contract codes listed in the hint", _MEMBER),
    Code("member.mapping-conflict", "error", "a CMS value or column mapped twice (ignoring case and spaces)",
         "keep one of the entries", _MEMBER),
    # ---- the member side: the run -------------------------------------------------------
    Code("member.nothing-to-send", "error", "no session and no hours in any quarter of the range",
         "check the range (--from, --to) and that the export covers it", _MEMBER),
    Code("member.nil-return", "warning", "sessions.csv has a header and no rows: the files sent are a nil return "
         "(a header and no rows for each period), telling the federation the member had no activity",
         "nothing to do if there were no sessions and no hours; otherwise export sessions.csv again in full", _MEMBER),
    Code("member.quiet-period", "warning", "a quarter or half-year with no session and no hours (a file with no rows)",
         "check that the export covers that quarter", _MEMBER),
    Code("member.unknown-org", "error", "--org is not in the member register given with --register",
         "use the org_id the federation gave you", _MEMBER),
    Code("member.output-exists", "error", "an output file already exists with other content",
         "choose another --out folder, or add --force to replace the files", _MEMBER),

    # ---- the intake service (issue 26) --------------------------------------------------
    Code("intake.other-period", "error", "a row of a sent file is for another period than the one it was sent for",
         "send each period's file on its own, or correct the period column", _MEMBER),
    Code("intake.xlsx-too-large", "error", "a workbook that would unpack to far more data than a submission holds",
         "save the sheet as CSV UTF-8 and send that", _MEMBER),
    Code("intake.store-missing", "error", "config.yaml names an intake store that cannot be read",
         "check intake.store, or start the service once (reportgen intake serve) to create it", _INTAKE),
    Code("intake.file-damaged", "error", "a stored file of a version the build uses is missing or not the file "
         "received", "restore the intake store from its backup", _INTAKE),
    Code("intake.rejected-latest", "warning", "a member's latest version of a period was rejected: the build uses "
         "its latest accepted version, if any", "the member can see the findings and send a corrected file", _STAFF),
]

REGISTRY: dict[str, Code] = {}
for _code in _CODES:
    if _code.code in REGISTRY:  # pragma: no cover - caught by the tests at once
        raise RuntimeError(f"finding code {_code.code} declared twice")
    REGISTRY[_code.code] = _code

STRICT_ENV = "REPORTGEN_STRICT_CODES"  # set by the test suite: an undeclared code is a bug caught at once
STRICT = os.environ.get(STRICT_ENV) == "1"


def check(code: str) -> None:
    """In strict mode (the tests), refuse a finding whose code is not declared here."""
    if STRICT and code not in REGISTRY:
        raise AssertionError(f"finding code '{code}' is not declared in reportgen/core/codes.py")


def hint_for(code: str) -> str | None:
    entry = REGISTRY.get(code)
    return entry.hint if entry else None


def markdown() -> str:
    """docs/finding-codes.md: every code, by area."""
    areas: dict[str, list[Code]] = {}
    for entry in _CODES:
        areas.setdefault(entry.code.split(".", 1)[0], []).append(entry)
    lines = ["# Finding codes", "",
             "Every problem reportgen reports carries one of these codes, a severity, the file, line and",
             "column, and a hint. `either` is a warning in a draft and an error for the final. The guide",
             "named beside each code has examples. This page is generated from `reportgen/core/codes.py`",
             "(`python -m reportgen.core.codes > docs/finding-codes.md`); a test keeps the two in step.", ""]
    for area, entries in areas.items():
        lines += [f"## `{area}.*`", "", "| code | severity | meaning | fix | guide |", "|---|---|---|---|---|"]
        for e in entries:
            guide = f"[{e.guide}]({e.guide})" if e.guide else ""
            meaning, hint = (text.replace("|", "\\|") for text in (e.meaning, e.hint))
            lines.append(f"| `{e.code}` | {e.severity} | {meaning} | {hint} | {guide} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown())
