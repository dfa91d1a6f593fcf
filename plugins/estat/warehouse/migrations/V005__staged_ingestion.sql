-- Ingestion through the database: an export file is streamed into scratch tables of schema
-- staging (one set per export file, unlogged, dropped when the file is settled), checked
-- there by its GX suites, and merged from there into burkit. The contract's value rules
-- that SQL does not know are the functions below; the suites' SQL form and the merge's
-- typing both call them, so that a value that passes a check is the value that is loaded.
-- They mirror estat.iin and estat.exports.values (a test runs both on the same values).

CREATE SCHEMA staging;
COMMENT ON SCHEMA staging IS
    'scratch tables of export files being ingested (staging.f<file id>_<table>), text as '
    'received; dropped once the file is loaded or refused';

-- Each function is one SQL expression whose arguments are only ever columns or constants,
-- so that PostgreSQL inlines it into the query that calls it rather than calling it once
-- per row. A date is checked with pg_input_is_valid (PostgreSQL 16), which says whether
-- the ISO form is a real date without raising an error. They are STABLE, not IMMUTABLE,
-- only because reading a date is (PostgreSQL inlines no IMMUTABLE function that calls a
-- STABLE one); the ISO form they read means the same under every DateStyle.

-- A contract date (DD.MM.YYYY, or DDMMYYYY where compact is allowed) as a date, or NULL.
CREATE FUNCTION burkit.contract_date(value text, compact_allowed boolean) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value ~ '^[0-9]{2}\.[0-9]{2}\.[0-9]{4}$' AND pg_input_is_valid(
            substr(value, 7, 4) || '-' || substr(value, 4, 2) || '-' || substr(value, 1, 2),
            'date')
            THEN (substr(value, 7, 4) || '-' || substr(value, 4, 2) || '-'
                || substr(value, 1, 2))::date
        WHEN compact_allowed AND value ~ '^[0-9]{8}$' AND pg_input_is_valid(
            substr(value, 5, 4) || '-' || substr(value, 3, 2) || '-' || substr(value, 1, 2),
            'date')
            THEN (substr(value, 5, 4) || '-' || substr(value, 3, 2) || '-'
                || substr(value, 1, 2))::date
    END
$$;
COMMENT ON FUNCTION burkit.contract_date(text, boolean) IS
    'a contract date (DD.MM.YYYY, or DDMMYYYY where compact is allowed) as a date, or NULL';

-- The birth date an IIN encodes (digits 1-6 and the century of digit 7), or NULL.
CREATE FUNCTION burkit.iin_birth_date(iin text) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN iin ~ '^[0-9]{6}[1-6][0-9]{5}$' AND pg_input_is_valid(
            (1800 + 100 * ((ascii(substr(iin, 7, 1)) - 49) / 2) + substr(iin, 1, 2)::integer)
                || '-' || substr(iin, 3, 2) || '-' || substr(iin, 5, 2),
            'date')
        THEN ((1800 + 100 * ((ascii(substr(iin, 7, 1)) - 49) / 2) + substr(iin, 1, 2)::integer)
                || '-' || substr(iin, 3, 2) || '-' || substr(iin, 5, 2))::date
    END
$$;

-- The SEX code (1 male, 2 female) digit 7 of an IIN encodes, or NULL.
CREATE FUNCTION burkit.iin_sex(iin text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(iin) = 12 AND substr(iin, 7, 1) IN ('1', '2', '3', '4', '5', '6')
        THEN (2 - ascii(substr(iin, 7, 1)) % 2)::text END
$$;

-- The check digit of an IIN's first eleven digits with the weights 1..11 (first = true)
-- or 3..11, 1, 2; 10 means that pass gives none. The IIN must be 12 ASCII digits.
CREATE FUNCTION burkit.iin_check_pass(iin text, first boolean) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT ((ascii(substr(iin, 1, 1)) - 48) * CASE WHEN first THEN 1 ELSE 3 END
        + (ascii(substr(iin, 2, 1)) - 48) * CASE WHEN first THEN 2 ELSE 4 END
        + (ascii(substr(iin, 3, 1)) - 48) * CASE WHEN first THEN 3 ELSE 5 END
        + (ascii(substr(iin, 4, 1)) - 48) * CASE WHEN first THEN 4 ELSE 6 END
        + (ascii(substr(iin, 5, 1)) - 48) * CASE WHEN first THEN 5 ELSE 7 END
        + (ascii(substr(iin, 6, 1)) - 48) * CASE WHEN first THEN 6 ELSE 8 END
        + (ascii(substr(iin, 7, 1)) - 48) * CASE WHEN first THEN 7 ELSE 9 END
        + (ascii(substr(iin, 8, 1)) - 48) * CASE WHEN first THEN 8 ELSE 10 END
        + (ascii(substr(iin, 9, 1)) - 48) * CASE WHEN first THEN 9 ELSE 11 END
        + (ascii(substr(iin, 10, 1)) - 48) * CASE WHEN first THEN 10 ELSE 1 END
        + (ascii(substr(iin, 11, 1)) - 48) * CASE WHEN first THEN 11 ELSE 2 END) % 11
$$;

-- Whether an IIN is valid: 12 digits, century and sex, a real birth date, and its check
-- digit (weights 1..11; when that gives 10, weights 3..11, 1, 2; when 10 again, no IIN
-- with those eleven digits is valid). NULL for NULL.
CREATE FUNCTION burkit.iin_valid(iin text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN iin IS NULL THEN NULL
        WHEN burkit.iin_birth_date(iin) IS NULL THEN false
        WHEN burkit.iin_check_pass(iin, true) <> 10
            THEN burkit.iin_check_pass(iin, true) = ascii(substr(iin, 12, 1)) - 48
        WHEN burkit.iin_check_pass(iin, false) <> 10
            THEN burkit.iin_check_pass(iin, false) = ascii(substr(iin, 12, 1)) - 48
        ELSE false
    END
$$;

-- Whether an IIN agrees with the person's stated birth (a date, or with birth = 'year' a
-- year) and sex. Missing values, and values that are no IIN, date, year or sex, agree:
-- the format checks report those.
CREATE FUNCTION burkit.iin_agrees(
    iin text, stated_birth text, stated_sex text, birth text, compact_allowed boolean
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        burkit.iin_birth_date(iin) IS NULL
        OR CASE WHEN birth = 'year'
            THEN stated_birth !~ '^[0-9]{4}$'
                OR extract(year FROM burkit.iin_birth_date(iin)) = stated_birth::integer
            ELSE burkit.contract_date(stated_birth, compact_allowed) IS NULL
                OR burkit.contract_date(stated_birth, compact_allowed)
                    = burkit.iin_birth_date(iin)
        END, true)
    AND coalesce(
        stated_sex IS NULL OR stated_sex NOT IN ('1', '2')
        OR burkit.iin_sex(iin) IS NULL OR burkit.iin_sex(iin) = stated_sex, true)
$$;

-- Whether a later contract date is not before an earlier one (true when either is none).
CREATE FUNCTION burkit.contract_dates_in_order(
    earlier text, later text, compact_allowed boolean
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT burkit.contract_date(earlier, compact_allowed) IS NULL
        OR burkit.contract_date(later, compact_allowed) IS NULL
        OR burkit.contract_date(later, compact_allowed)
            >= burkit.contract_date(earlier, compact_allowed)
$$;

GRANT USAGE, CREATE ON SCHEMA staging TO estat_loader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA burkit TO estat_loader, estat_statistician;
