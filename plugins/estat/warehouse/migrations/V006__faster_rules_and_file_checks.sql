-- Faster forms of the contract's value rules of V005, and the link of a loaded row to its
-- export file checked once per statement instead of once per row.
--
-- The rules: the same results for every value (a test runs them and the Python rules on
-- the same values), computed without regular expressions or date input. Digits are checked
-- with translate(), a date's parts with integer arithmetic, and it is made with make_date
-- only once it is known to be real, so every function is IMMUTABLE and each stays one SQL
-- expression that PostgreSQL inlines into the query that calls it. A value an inlined
-- body would compute twice is compared with a simple CASE, which computes it once.

-- Whether year, month and day name a real date of years 1 to 9999.
CREATE FUNCTION burkit.real_date(y integer, m integer, d integer) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT y BETWEEN 1 AND 9999 AND d >= 1 AND d <= CASE m
        WHEN 2 THEN CASE WHEN y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0) THEN 29 ELSE 28 END
        WHEN 4 THEN 30 WHEN 6 THEN 30 WHEN 9 THEN 30 WHEN 11 THEN 30
        WHEN 1 THEN 31 WHEN 3 THEN 31 WHEN 5 THEN 31 WHEN 7 THEN 31 WHEN 8 THEN 31
        WHEN 10 THEN 31 WHEN 12 THEN 31
        ELSE 0
    END
$$;

-- The date of year, month and day, or NULL when they name none.
CREATE FUNCTION burkit.calendar_date(y integer, m integer, d integer) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN burkit.real_date(y, m, d) THEN make_date(y, m, d) END
$$;

CREATE OR REPLACE FUNCTION burkit.contract_date(value text, compact_allowed boolean)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN length(value) = 10 AND translate(value, '0123456789', '') = '..'
                AND substr(value, 3, 1) = '.' AND substr(value, 6, 1) = '.'
            THEN burkit.calendar_date(substr(value, 7, 4)::integer,
                substr(value, 4, 2)::integer, substr(value, 1, 2)::integer)
        WHEN compact_allowed AND length(value) = 8
                AND translate(value, '0123456789', '') = ''
            THEN burkit.calendar_date(substr(value, 5, 4)::integer,
                substr(value, 3, 2)::integer, substr(value, 1, 2)::integer)
    END
$$;

-- The date of a value that passed the date rule (so it is DD.MM.YYYY or DDMMYYYY and a
-- real date): what the load types it as, without checking it again. Anything else
-- raises an error rather than loading a wrong date.
CREATE FUNCTION burkit.checked_date(value text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE length(value)
        WHEN 10 THEN make_date(substr(value, 7, 4)::integer, substr(value, 4, 2)::integer,
            substr(value, 1, 2)::integer)
        WHEN 8 THEN make_date(substr(value, 5, 4)::integer, substr(value, 3, 2)::integer,
            substr(value, 1, 2)::integer)
    END
$$;

CREATE OR REPLACE FUNCTION burkit.iin_birth_date(iin text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(iin) = 12 AND translate(iin, '0123456789', '') = ''
            AND substr(iin, 7, 1) IN ('1', '2', '3', '4', '5', '6')
        THEN burkit.calendar_date(
            1800 + 100 * ((ascii(substr(iin, 7, 1)) - 49) / 2) + substr(iin, 1, 2)::integer,
            substr(iin, 3, 2)::integer, substr(iin, 5, 2)::integer)
    END
$$;

CREATE OR REPLACE FUNCTION burkit.iin_sex(iin text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(iin) = 12 AND substr(iin, 7, 1) IN ('1', '2', '3', '4', '5', '6')
        THEN (2 - ascii(substr(iin, 7, 1)) % 2)::text END
$$;

ALTER FUNCTION burkit.iin_check_pass(text, boolean) IMMUTABLE;

CREATE OR REPLACE FUNCTION burkit.iin_valid(iin text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN iin IS NULL THEN NULL
        WHEN burkit.iin_birth_date(iin) IS NULL THEN false
        ELSE CASE burkit.iin_check_pass(iin, true)
            WHEN 10 THEN CASE burkit.iin_check_pass(iin, false)
                WHEN 10 THEN false
                WHEN ascii(substr(iin, 12, 1)) - 48 THEN true
                ELSE false
            END
            WHEN ascii(substr(iin, 12, 1)) - 48 THEN true
            ELSE false
        END
    END
$$;

-- A missing value, or one that is no IIN, date, year or sex, makes its comparison NULL,
-- which agrees: the format checks report those.
CREATE OR REPLACE FUNCTION burkit.iin_agrees(
    iin text, stated_birth text, stated_sex text, birth text, compact_allowed boolean
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        CASE WHEN birth = 'year'
            THEN length(stated_birth) <> 4 OR translate(stated_birth, '0123456789', '') <> ''
                OR extract(year FROM burkit.iin_birth_date(iin)) = stated_birth::integer
            ELSE burkit.contract_date(stated_birth, compact_allowed) = burkit.iin_birth_date(iin)
        END, true)
    AND coalesce(stated_sex NOT IN ('1', '2') OR burkit.iin_sex(iin) = stated_sex, true)
$$;

CREATE OR REPLACE FUNCTION burkit.contract_dates_in_order(
    earlier text, later text, compact_allowed boolean
) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(burkit.contract_date(later, compact_allowed)
        >= burkit.contract_date(earlier, compact_allowed), true)
$$;

GRANT EXECUTE ON FUNCTION burkit.real_date(integer, integer, integer),
    burkit.calendar_date(integer, integer, integer), burkit.checked_date(text)
    TO estat_loader, estat_statistician;

-- A loaded row names the export file that last wrote it (file_id). A foreign key checks
-- that row by row, with one lookup and lock of the ledger row per loaded row: a fifth of
-- a load's time. The triggers below check it once per statement, over the rows the
-- statement wrote, taking the same lock (FOR KEY SHARE) on the ledger rows they name;
-- and a loaded file, the only kind whose id a loaded row can name, stays in the ledger.
CREATE FUNCTION burkit.check_file_ids() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    unknown bigint;
BEGIN
    PERFORM FROM ops.export_file AS f
    WHERE f.file_id IN (SELECT DISTINCT file_id FROM written)
    FOR KEY SHARE OF f;
    SELECT w.file_id INTO unknown
    FROM (SELECT DISTINCT file_id FROM written) AS w
    WHERE NOT EXISTS (SELECT FROM ops.export_file AS f WHERE f.file_id = w.file_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING
            ERRCODE = 'foreign_key_violation',
            MESSAGE = format('%I.%I: file_id %s is no export file of ops.export_file',
                TG_TABLE_SCHEMA, TG_TABLE_NAME, coalesce(unknown::text, 'NULL'));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION burkit.check_file_ids() IS
    'the file_id of every row a statement wrote into a burkit table names an export file';

CREATE FUNCTION ops.keep_loaded_file() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'foreign_key_violation',
        MESSAGE = format('export file %s was loaded: rows of burkit name it', OLD.file_id);
END
$$;
CREATE TRIGGER loaded_file_stays BEFORE DELETE ON ops.export_file
    FOR EACH ROW WHEN (OLD.status = 'loaded') EXECUTE FUNCTION ops.keep_loaded_file();

DO $$
DECLARE
    link record;
BEGIN
    FOR link IN
        SELECT c.conrelid::regclass AS loaded, c.conname, t.relname
        FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid
        WHERE c.contype = 'f' AND c.connamespace = 'burkit'::regnamespace
            AND c.confrelid = 'ops.export_file'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', link.loaded, link.conname);
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS written '
            'FOR EACH STATEMENT EXECUTE FUNCTION burkit.check_file_ids()',
            link.relname || '_file_id_on_insert', link.loaded);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING NEW TABLE AS written '
            'FOR EACH STATEMENT EXECUTE FUNCTION burkit.check_file_ids()',
            link.relname || '_file_id_on_update', link.loaded);
    END LOOP;
END
$$;

-- The key columns (kind, CODE, EMCODE) compare byte by byte. They hold the file's kind and
-- digit identifiers, which sort the same under every collation, but under a locale each
-- comparison in their indexes, joins and merges goes through strcoll().
DO $$
DECLARE
    key record;
BEGIN
    FOR key IN
        SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length
        FROM information_schema.columns AS c
        WHERE c.table_schema = 'burkit' AND c.column_name IN ('kind', 'code', 'emcode')
        ORDER BY c.table_name, c.ordinal_position
    LOOP
        EXECUTE format('ALTER TABLE burkit.%I ALTER COLUMN %I TYPE %s COLLATE "C"',
            key.table_name, key.column_name,
            CASE WHEN key.data_type = 'text' THEN 'text'
                ELSE format('character varying(%s)', key.character_maximum_length) END);
    END LOOP;
END
$$;
