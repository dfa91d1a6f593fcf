-- The duties the order puts dates on: change and shutdown notices (5 calendar days after
-- the decision), deliveries at the agreed periodicity, and conformity with the field list
-- after a software change. Dates are Asia/Almaty calendar dates (see estat.deadlines).

CREATE TABLE ops.conformity_report (
    report_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    file_name text NOT NULL,
    sha256 text,
    verdict text NOT NULL CHECK (verdict IN ('PASS', 'FAIL')),
    findings jsonb NOT NULL,
    page text
);
COMMENT ON TABLE ops.conformity_report IS
    'a check of a sample export against the contract''s field list, loading nothing: '
    'per table the fields present, missing and unknown, lengths exceeded, codes invalid';

CREATE TABLE ops.change_notice (
    notice_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system text NOT NULL CHECK (system IN ('burkit_mo', 'e_statistics')),
    kind text NOT NULL CHECK (kind IN ('planned_change', 'shutdown')),
    decision_date date NOT NULL,
    planned_date date NOT NULL CHECK (planned_date >= decision_date),
    description text NOT NULL,
    due_date date NOT NULL CHECK (due_date = decision_date + 5),
    owed_by text NOT NULL CHECK (owed_by IN ('security_committee', 'statistics_committee')),
    owed_to text NOT NULL CHECK (owed_to IN ('security_committee', 'statistics_committee')),
    status text NOT NULL CHECK (status IN ('open', 'closed', 'overdue')),
    registered_at timestamptz NOT NULL DEFAULT now(),
    registered_by text NOT NULL,
    received_at timestamptz,
    sent_at timestamptz,
    sent_reference text,
    confirmed_by text,
    conformity_report_id bigint REFERENCES ops.conformity_report (report_id),
    closed_at timestamptz,
    CHECK (owed_by <> owed_to),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
COMMENT ON TABLE ops.change_notice IS
    'notices of a planned change to, or a decision to stop, Burkit-MO or e-Statistics, '
    'due 5 calendar days after the decision';
COMMENT ON COLUMN ops.change_notice.received_at IS
    'for a notice the security committee owes: when it reached the statistics committee';
COMMENT ON COLUMN ops.change_notice.sent_at IS
    'for a notice the statistics committee owes: when it was confirmed sent';

CREATE TABLE ops.change_notice_history (
    notice_id bigint NOT NULL REFERENCES ops.change_notice (notice_id),
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    changed_by text NOT NULL,
    change text NOT NULL,
    status_before text,
    status_after text NOT NULL,
    details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX change_notice_history_by_notice ON ops.change_notice_history (notice_id, changed_at);
COMMENT ON TABLE ops.change_notice_history IS 'every change of every notice: who, when, what';

CREATE TABLE ops.delivery_gap (
    kind text NOT NULL CHECK (kind IN ('EMIGRANT', 'IMMIGRANT')),
    period_start date NOT NULL,
    period_end date NOT NULL,
    due_date date NOT NULL,
    detected_at timestamptz NOT NULL DEFAULT now(),
    announced_by bigint REFERENCES ops.change_notice (notice_id),
    requested_at timestamptz,
    requested_by text,
    request_reference text,
    closed_at timestamptz,
    closed_by_file bigint REFERENCES ops.export_file (file_id),
    PRIMARY KEY (kind, period_end)
);
COMMENT ON TABLE ops.delivery_gap IS
    'a reporting period whose export had not loaded when its grace period ended; open until '
    'a file for it loads';
COMMENT ON COLUMN ops.delivery_gap.announced_by IS
    'the Burkit-MO shutdown notice that announced the stop; NULL flags an unannounced stop';

CREATE VIEW quality.delivery_timeliness AS
SELECT g.kind, g.period_start, g.period_end, g.due_date, g.detected_at, g.closed_at,
       g.announced_by IS NOT NULL AS announced, g.requested_at
FROM ops.delivery_gap AS g;
COMMENT ON VIEW quality.delivery_timeliness IS
    'reporting periods whose export came late or not at all, and when they were requested';

GRANT SELECT, INSERT, UPDATE, DELETE ON ops.conformity_report, ops.change_notice,
    ops.change_notice_history, ops.delivery_gap TO estat_loader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ops TO estat_loader;
GRANT SELECT ON quality.delivery_timeliness TO estat_statistician, estat_loader;
