-- The statistical registers, the quality views statisticians read, and who may read what.
--
-- The order allows the data one use: statistics and statistical registers. The registers
-- hold no IIN, name, birth date or document number: a person appears under a keyed hash
-- of their GSID whose key is held outside the warehouse. estat_statistician reads the
-- registers and the quality views, never burkit or quarantine, where the personal data is.

CREATE SCHEMA IF NOT EXISTS registers;
CREATE SCHEMA IF NOT EXISTS quality;

-- Records without a value are not a code field's business: kept to count valid shares.
ALTER TABLE ops.validation_outcome ADD COLUMN missing_count integer;

CREATE TABLE registers.migrant (
    person_key text NOT NULL CHECK (person_key ~ '^[0-9a-f]{64}$'),
    direction text NOT NULL CHECK (direction IN ('EMIGRATION', 'IMMIGRATION')),
    period_start date NOT NULL,
    period_end date NOT NULL,
    sex smallint CHECK (sex IN (1, 2)),
    age smallint CHECK (age >= 0),
    age_group text,
    citizenship integer,
    country integer,
    region integer,
    nationality integer,
    marital_status integer,
    education integer,
    social_position integer,
    children smallint NOT NULL CHECK (children >= 0),
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    PRIMARY KEY (direction, period_end, person_key)
);
COMMENT ON TABLE registers.migrant IS
    'one row per person and migration event, pseudonymous: the register statistics are made of';
COMMENT ON COLUMN registers.migrant.person_key IS
    'HMAC-SHA256 of the person''s GSID under a key held outside the warehouse';
COMMENT ON COLUMN registers.migrant.age IS
    'completed years at the end of the reporting period (the export names no event date)';
COMMENT ON COLUMN registers.migrant.country IS
    'OUCIT: the country of departure (immigration) or destination (emigration), T_CITIZEN';
COMMENT ON COLUMN registers.migrant.region IS
    'the world region of country: its parent in the T_CITIZEN tree';
COMMENT ON COLUMN registers.migrant.education IS
    'the highest education of the person''s L_EM2TR rows (F_TRAINING)';
COMMENT ON COLUMN registers.migrant.children IS 'children under the person''s care (MC_EMCHILDS)';

CREATE TABLE registers.migration_flow (
    flow_table text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    direction text NOT NULL,
    direction_ru text NOT NULL,
    direction_kk text NOT NULL,
    total_over text[] NOT NULL,
    country integer,
    country_ru text,
    country_kk text,
    region integer,
    region_ru text,
    region_kk text,
    sex smallint,
    sex_ru text,
    sex_kk text,
    age_group text,
    nationality integer,
    nationality_ru text,
    nationality_kk text,
    education integer,
    education_ru text,
    education_kk text,
    persons integer NOT NULL CHECK (persons > 0),
    suppression text CHECK (suppression IN ('primary', 'secondary'))
);
CREATE INDEX migration_flow_by_table ON registers.migration_flow (flow_table, period_end, direction);
COMMENT ON TABLE registers.migration_flow IS
    'persons by period, direction and one dimension crossed with sex, with the margins: '
    'the tables statisticians publish (unsuppressed; publish migration_flow_published)';
COMMENT ON COLUMN registers.migration_flow.total_over IS
    'the dimensions this cell totals over (sex, the table''s dimension, or both); a NULL '
    'dimension not listed here means not stated';
COMMENT ON COLUMN registers.migration_flow.suppression IS
    'primary: fewer than 3 persons; secondary: withheld so a primary cell cannot be derived';

CREATE VIEW registers.migration_flow_published AS
SELECT flow_table, period_start, period_end, direction, direction_ru, direction_kk, total_over,
       country, country_ru, country_kk, region, region_ru, region_kk, sex, sex_ru, sex_kk,
       age_group, nationality, nationality_ru, nationality_kk, education, education_ru,
       education_kk,
       CASE WHEN suppression IS NULL THEN persons END AS persons,
       suppression IS NOT NULL AS suppressed
FROM registers.migration_flow;
COMMENT ON VIEW registers.migration_flow_published IS
    'migration_flow as it may be published: a cell under 3 persons, and the cells it could be '
    'derived from within its table''s margins, are withheld (persons NULL, suppressed true)';

CREATE TABLE ops.register_refresh (
    refresh_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    migrants integer NOT NULL,
    flow_cells integer NOT NULL,
    suppressed_cells integer NOT NULL,
    last_file_id bigint
);
COMMENT ON TABLE ops.register_refresh IS 'every refresh of the statistical registers';

-- The quality views: counts per export file and reporting period, never a record's values.

CREATE VIEW quality.export_file AS
SELECT file_id, file_name, kind, package, period_start, period_end, provenance, status,
       refusal_rule, reason, duplicate_of, rows_received, rows_loaded, rows_quarantined,
       persons_rejected, warnings, received_at, started_at, finished_at
FROM ops.export_file
WHERE status <> 'received';
COMMENT ON VIEW quality.export_file IS 'every processed export file and what became of it';

CREATE VIEW quality.table_rows AS
SELECT f.file_id, f.kind, f.period_end, t.table_name, t.rows_declared, t.rows_received,
       t.rows_loaded, t.rows_quarantined
FROM ops.export_file_table AS t
JOIN ops.export_file AS f USING (file_id);
COMMENT ON VIEW quality.table_rows IS
    'completeness per file and table: rows declared, received, loaded and quarantined';

CREATE VIEW quality.field_completeness AS
SELECT f.file_id, f.kind, f.period_end, o.table_name, o.field,
       o.element_count AS rows, o.unexpected_count AS missing,
       CASE WHEN o.element_count > 0
            THEN 1 - o.unexpected_count::numeric / o.element_count END AS present_share
FROM ops.validation_outcome AS o
JOIN ops.export_file AS f USING (file_id)
WHERE o.rule = 'required';
COMMENT ON VIEW quality.field_completeness IS
    'share of rows in which each mandatory field is present, per file and table';

CREATE VIEW quality.code_validity AS
SELECT f.file_id, f.kind, f.period_end, c.table_name, c.field,
       c.element_count - coalesce(c.missing_count, 0) AS coded,
       c.unexpected_count AS invalid,
       coalesce(l.unexpected_count, 0) AS liquidated,
       CASE WHEN c.element_count - coalesce(c.missing_count, 0) > 0
            THEN 1 - c.unexpected_count::numeric / (c.element_count - coalesce(c.missing_count, 0))
       END AS valid_share
FROM ops.validation_outcome AS c
JOIN ops.export_file AS f USING (file_id)
LEFT JOIN ops.validation_outcome AS l
    ON l.file_id = c.file_id AND l.table_name = c.table_name AND l.field = c.field
   AND l.rule = 'liquidated'
WHERE c.rule = 'code';
COMMENT ON VIEW quality.code_validity IS
    'per file and code field: values given, invalid codes, liquidated codes used (warnings)';

CREATE VIEW quality.identity_checks AS
SELECT f.file_id, f.kind, f.period_end, o.table_name, o.rule,
       o.element_count - coalesce(o.missing_count, 0) AS checked,
       o.unexpected_count AS failed
FROM ops.validation_outcome AS o
JOIN ops.export_file AS f USING (file_id)
WHERE o.rule IN ('iin', 'iin_agrees');
COMMENT ON VIEW quality.identity_checks IS
    'IIN failures per file and table: iin (check digit, date, century) and iin_agrees '
    '(birth date and sex)';

CREATE VIEW quality.rejections_by_rule AS
SELECT q.file_id, f.kind, f.period_end, q.table_name, r.reason, count(*) AS records
FROM quarantine.rejected_record AS q
JOIN ops.export_file AS f USING (file_id)
CROSS JOIN LATERAL unnest(q.reasons) AS r (reason)
GROUP BY q.file_id, f.kind, f.period_end, q.table_name, r.reason;
COMMENT ON VIEW quality.rejections_by_rule IS
    'rejected records per file, table and reason (rule:FIELD); a record may have several';

CREATE VIEW quality.period_summary AS
SELECT kind, period_start, period_end,
       count(*) AS files,
       count(*) FILTER (WHERE status = 'loaded') AS files_loaded,
       count(*) FILTER (WHERE status = 'refused') AS files_refused,
       count(*) FILTER (WHERE status = 'duplicate') AS files_duplicate,
       min(received_at) AS first_received_at,
       min(finished_at) FILTER (WHERE status = 'loaded') AS first_loaded_at,
       coalesce(sum(rows_received) FILTER (WHERE status <> 'duplicate'), 0) AS rows_received,
       coalesce(sum(rows_loaded), 0) AS rows_loaded,
       coalesce(sum(rows_quarantined), 0) AS rows_quarantined,
       coalesce(sum(persons_rejected) FILTER (WHERE status = 'loaded'), 0) AS persons_rejected,
       coalesce(sum(warnings) FILTER (WHERE status = 'loaded'), 0) AS warnings
FROM ops.export_file
WHERE kind IS NOT NULL AND status <> 'received'
GROUP BY kind, period_start, period_end;
COMMENT ON VIEW quality.period_summary IS
    'per kind and reporting period: files delivered, loaded, refused, duplicated, and rows';

-- Who may read what. Roles are the cluster's, so they are created only when missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'estat_loader') THEN
        CREATE ROLE estat_loader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'estat_statistician') THEN
        CREATE ROLE estat_statistician NOLOGIN;
    END IF;
END
$$;
COMMENT ON ROLE estat_loader IS
    'the pipeline: loads ref, burkit, quarantine, ops and refreshes registers';
COMMENT ON ROLE estat_statistician IS
    'statisticians: read the registers and the quality views, never personal data';

GRANT USAGE ON SCHEMA ref, ops, burkit, quarantine, registers, quality TO estat_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ref, ops, burkit, quarantine,
    registers TO estat_loader;
GRANT SELECT ON ALL TABLES IN SCHEMA quality TO estat_loader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ref, ops, burkit, quarantine, registers TO estat_loader;
GRANT CREATE ON SCHEMA burkit, ops, quarantine, registers TO estat_loader;

GRANT USAGE ON SCHEMA registers, quality TO estat_statistician;
GRANT SELECT ON ALL TABLES IN SCHEMA registers, quality TO estat_statistician;
