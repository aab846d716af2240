"""The help of each command: what it does, with examples and its exit codes."""

from __future__ import annotations

from pdscan.baseline import BASELINE_NAME
from pdscan.cli.options import DATA_MAP_NAME

SCAN_HELP = f"""Scan SQL schemas and logs for personal data and judge each place against the policy.

SOURCE is a SQL file, a directory (SQL files in one folder are replayed in order as
migrations; log files are scanned one by one), a log file (plain, gz, bz2, xz, zst), a glob,
`-` for standard input (a schema or a log, told by its content), a SQLite database file or a
sqlite:/// URL, a live database: postgresql://user@host/db, mysql://user@host/db,
mariadb://user@host/db (read-only sessions; rows sampled unless --schema-only), or logs in
remote storage: s3://, gs://, abfs://, hdfs:// objects, prefixes and globs (extras s3, gcs,
azure, hdfs; credentials from the storage libraries' usual sources).

\b
Examples:
  pdscan scan db/structure.sql
  pdscan scan db/migrate/ --config pdscan.yml
  pdscan scan 'schemas/**/*.sql' --format json --output report.json
  pg_dump --schema-only shop | pdscan scan - --dialect postgres
  pdscan scan shop.db --fail-on purpose_not_permitted
  pdscan scan postgresql://auditor@db.internal/shop --schema-only
  pdscan scan mysql://auditor@127.0.0.1/shop --sample-size 500 --jobs 4
  pdscan scan /var/log/nginx/ app.log.3.gz --jobs 4
  pdscan scan 's3://acme-logs/nginx/2026/**/*.gz' --format json -o report.json
  kubectl logs deploy/api | pdscan scan - --format ndjson | jq .category
  pdscan scan db/migrate/ --baseline .pdscan-baseline.json --format sarif -o pdscan.sarif
  pdscan scan db/migrate/ --changed-since origin/main --format github

\b
Exit codes:
  0  nothing new at or above --fail-on (default: undeclared): findings the
     --baseline accepts, ignored ones, places left out by --changed-since and
     warnings (plaintext_sensitive) never count
  1  new findings at or above --fail-on
  2  usage or input error (bad policy or data map, an ignore without a reason,
     a missing or corrupt baseline, a revision git does not know; nothing could
     be scanned; with --strict, anything skipped)
  130, 143  stopped by Ctrl-C (SIGINT) or SIGTERM: no report written
  141  the reader of the output went away (`| head`)

The data map is --config, else ./{DATA_MAP_NAME}, else {DATA_MAP_NAME} inside a scanned directory.
"""


POLICY_HELP = """Show the policy scans are judged against, or check a policy file.

\b
Examples:
  pdscan policy                          show the bundled policy
  pdscan policy --policy my-policy.yaml  show your own policy
  pdscan policy --check my-policy.yaml   validate it: every problem with file:line:column
"""


INVENTORY_HELP = """Where do we hold personal data of each category? Every place (column, table, log
field) holding it, with its declared purposes, across every source at once: the answer a
disclosure request needs. Sources are those of `pdscan scan`.

\b
Examples:
  pdscan inventory examples/shop
  pdscan inventory db/migrate/ shop.db /var/log/app/ --category email
  pdscan inventory postgresql://auditor@db/shop logs/ --category email --category phone --format csv -o email.csv
  pdscan inventory examples/shop --format html --lang ru --output inventory.html
  pdscan inventory examples/shop --format fides --output .fides/pdscan_dataset.yml

\b
Exit codes:
  0  the inventory was written
  2  usage or input error (an unknown category, a bad policy or data map; nothing could be
     scanned; with --strict, anything skipped)
"""


INIT_HELP = f"""Start a data map: scan SOURCE… and write {DATA_MAP_NAME} listing every place that holds
personal data, each with `purposes: []` to fill in (one per category where a place holds more
than one) and a comment giving the category, the policy clause and the evidence. Sources are
those of `pdscan scan`; paths in the file are relative to the folder it is written to. Without
--update, no data map is read.

With --update, the data map (--output) is read and kept as the team wrote it: the places it
lacks are added at the end of their blocks, entries the scan no longer finds are marked
`# gone since DATE` (the mark goes when the place is back), nothing else changes.

\b
Examples:
  pdscan init db/migrate/
  pdscan init db/migrate/ logs/ shop.db --output config/{DATA_MAP_NAME}
  pdscan init db/migrate/ --output -        print it instead of writing it
  pdscan init db/migrate/ logs/ --update    add what is new to {DATA_MAP_NAME}

\b
Exit codes:
  0  the data map was written (or, with --update, is up to date)
  2  usage or input error (the file exists: --force replaces it, --update adds to
     it; with --update, no such file or a bad data map; a bad policy; nothing could
     be scanned; with --strict, anything skipped)
"""


BASELINE_HELP = f"""Accept today's findings: scan SOURCE… and write {BASELINE_NAME} with every finding
that is a problem today (undeclared or worse), so that `pdscan scan --baseline {BASELINE_NAME}`
still reports them but fails only on new ones. Entries are keyed on the schema or log, the
table and column (or field) and the category, never on line numbers or times; the file is
sorted, deterministic and written atomically, so it diffs cleanly in review. Run it again to
accept the current state. Sources and data map are those of `pdscan scan`.

\b
Examples:
  pdscan baseline db/migrate/
  pdscan baseline examples/shop --output examples/shop/{BASELINE_NAME}

\b
Exit codes:
  0  the baseline was written
  2  usage or input error (bad policy or data map; nothing could be scanned;
     the file cannot be written; with --strict, anything skipped)
"""


EXPLAIN_HELP = """Why did a place come out as it did? The rules tried on a column, a log field or a
value, what evidence each found, why the result is what it is (or, when no rule matched, the
nearest candidates and what ruled each out), and the policy's category and permitted purposes.
The explanation is read from the same code that classifies in a scan.

\b
PLACE is a column, table.column (customers.email, public.users.reset_password_token),
judged with --type and --columns, or with the table as --in SOURCE defines it (a SQL file
or folder, an ORM schema file, a SQLite database: its catalog only, no row is read).
Without PLACE: --field for a log field (with --value, a value under it), --value alone
for a value in free text. Values are masked unless --show-data.

\b
Examples:
  pdscan explain customers.email --type 'varchar(255)'
  pdscan explain preferences.language --columns id,user_id,language
  pdscan explain users.email_verified --in db/migrate/
  pdscan explain staff.snils_no --rules our-rules.yaml
  pdscan explain --field request.headers.User-Agent
  pdscan explain --field client_ip --value 203.0.113.7
  pdscan explain --value '4111 1111 1111 1111' --format json

\b
Exit codes:
  0  the explanation was printed (whatever it says)
  2  usage or input error (a PLACE that is not table.column, a table or column the
     source lacks, a bad policy or rules file)
"""
