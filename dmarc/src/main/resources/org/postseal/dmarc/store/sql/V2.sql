-- aggregate reports received from other receivers (postseal report import)
-- One row per report, keyed by the SHA-256 of reporter org_name, report id, policy domain and period (what makes
-- two copies the same report: Google reuses ids across periods). Times are seconds since the epoch (UTC); the
-- policy columns hold what the reporter wrote, "" where it wrote nothing.
CREATE TABLE received_report (
  report_key TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  org_name TEXT NOT NULL,
  email TEXT NOT NULL,
  report_id TEXT NOT NULL,
  period_begin BIGINT NOT NULL,
  period_end BIGINT NOT NULL,
  errors TEXT NOT NULL,
  generator TEXT NOT NULL,
  policy_domain TEXT NOT NULL,
  p TEXT NOT NULL,
  sp TEXT NOT NULL,
  np TEXT NOT NULL,
  adkim TEXT NOT NULL,
  aspf TEXT NOT NULL,
  pct TEXT NOT NULL,
  fo TEXT NOT NULL,
  testing TEXT NOT NULL,
  discovery_method TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  message_count BIGINT NOT NULL,
  imported_at BIGINT NOT NULL,
  imported_from TEXT NOT NULL
);
CREATE INDEX received_report_period ON received_report (period_end, policy_domain);

-- Every record of a received report, in its order. Lists are lines of tab-separated fields (reasons: type,
-- comment; dkim: domain, selector, result; spf: domain, scope, result).
CREATE TABLE received_record (
  report_key TEXT NOT NULL REFERENCES received_report (report_key) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  source_ip TEXT NOT NULL,
  message_count BIGINT NOT NULL,
  disposition TEXT NOT NULL,
  dkim_evaluated TEXT NOT NULL,
  spf_evaluated TEXT NOT NULL,
  reasons TEXT NOT NULL,
  header_from TEXT NOT NULL,
  envelope_from TEXT NOT NULL,
  envelope_to TEXT NOT NULL,
  dkim TEXT NOT NULL,
  spf TEXT NOT NULL,
  PRIMARY KEY (report_key, position)
);
