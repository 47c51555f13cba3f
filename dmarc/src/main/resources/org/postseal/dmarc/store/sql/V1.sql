-- results store and report outbox
-- One script for SQLite and PostgreSQL; SchemaMigrator writes the byte-string type each of them names.
-- One row per evaluated inbound message: what RFC 9990 reports and `postseal report show` need. Times are
-- seconds since the epoch (UTC). Lists are lines of tab-separated fields (dkim: domain, selector, result;
-- reasons: type, comment); rua holds the URIs separated by spaces. A message without a DMARC record has
-- empty policy columns.
CREATE TABLE evaluated_message (
  evaluated_at BIGINT NOT NULL,
  source_ip TEXT NOT NULL,
  header_from TEXT NOT NULL,
  envelope_from TEXT NOT NULL,
  envelope_to TEXT NOT NULL,
  spf_domain TEXT NOT NULL,
  spf_scope TEXT NOT NULL,
  spf_result TEXT NOT NULL,
  dkim TEXT NOT NULL,
  dmarc_result TEXT NOT NULL,
  dkim_aligned INTEGER NOT NULL,
  spf_aligned INTEGER NOT NULL,
  policy_domain TEXT NOT NULL,
  organizational_domain TEXT NOT NULL,
  discovery_method TEXT NOT NULL,
  p TEXT NOT NULL,
  sp TEXT NOT NULL,
  np TEXT NOT NULL,
  fo TEXT NOT NULL,
  adkim TEXT NOT NULL,
  aspf TEXT NOT NULL,
  testing TEXT NOT NULL,
  psd TEXT NOT NULL,
  rua TEXT NOT NULL,
  disposition TEXT NOT NULL,
  reasons TEXT NOT NULL
);
CREATE INDEX evaluated_message_at ON evaluated_message (evaluated_at);

-- Closed periods, contiguous and never overlapping: the instance whose insert of a period_begin succeeds
-- builds that period's reports, in the same transaction.
CREATE TABLE report_period (
  period_begin BIGINT PRIMARY KEY,
  period_end BIGINT NOT NULL,
  closed_at BIGINT NOT NULL,
  closed_by TEXT NOT NULL
);

-- The outbox: each report as built (its mail is rendered from these columns, the same bytes every time).
CREATE TABLE report (
  report_id TEXT PRIMARY KEY,
  policy_domain TEXT NOT NULL,
  organizational_domain TEXT NOT NULL,
  period_begin BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  file_name TEXT NOT NULL,
  from_address TEXT NOT NULL,
  receiver TEXT NOT NULL,
  built_at BIGINT NOT NULL,
  record_count INTEGER NOT NULL,
  message_count BIGINT NOT NULL,
  summary TEXT NOT NULL,
  attachment ${binary} NOT NULL
);

-- One row per report and rua destination: pending until sent, failed (5xx, given up) or refused (external
-- destination not verified). A claim keeps two senders from delivering the same row at once.
CREATE TABLE report_delivery (
  report_id TEXT NOT NULL REFERENCES report (report_id) ON DELETE CASCADE,
  destination TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  last_reply TEXT NOT NULL,
  done_at BIGINT,
  claimed_by TEXT,
  claimed_until BIGINT,
  PRIMARY KEY (report_id, destination)
);
CREATE INDEX report_delivery_due ON report_delivery (state, next_attempt_at);
