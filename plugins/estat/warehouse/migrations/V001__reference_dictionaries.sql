-- The reference dictionaries of the exchange contract (Appendix 1) and the ledger of
-- their loads. Each ref table carries the dictionary's columns, in lower case, and two
-- bookkeeping columns: the load that last wrote the row, and the load whose file no
-- longer held the code. Codes are never deleted: records may still point at them.

CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS ops;

CREATE TABLE ops.dictionary_load (
    load_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dictionary text NOT NULL,
    file_name text NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    status text NOT NULL CHECK (status IN ('loaded', 'refused')),
    reason text,
    rows_in_file integer,
    rows_added integer,
    rows_changed integer,
    rows_unchanged integer,
    rows_withdrawn integer,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'refused') = (reason IS NOT NULL))
);
CREATE INDEX dictionary_load_by_dictionary ON ops.dictionary_load (dictionary, load_id DESC);
COMMENT ON TABLE ops.dictionary_load IS
    'every attempt to load a dictionary file: what it held, what it changed, or why it was refused';

CREATE TABLE ops.dictionary_change (
    load_id bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    dictionary text NOT NULL,
    code integer NOT NULL,
    change text NOT NULL CHECK (change IN ('added', 'changed', 'withdrawn', 'restored')),
    before jsonb,
    after jsonb,
    PRIMARY KEY (load_id, code)
);
CREATE INDEX dictionary_change_by_code ON ops.dictionary_change (dictionary, code);
COMMENT ON TABLE ops.dictionary_change IS
    'every row a dictionary load added, changed, withdrew (no longer in the file) or restored';

CREATE TABLE ref.t_citizen (
    code integer PRIMARY KEY,
    codepar integer REFERENCES ref.t_citizen (code) DEFERRABLE INITIALLY DEFERRED,
    name text NOT NULL,
    kzname text,
    lev integer NOT NULL,
    shifr text NOT NULL,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.t_citizen IS 'T_CITIZEN: countries (Елдер анықтамалығы)';
COMMENT ON COLUMN ref.t_citizen.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.t_citizen.codepar IS 'parent record''s identifier (0 or NULL at the root) (Ата – ана жазбасының сәйкестендіргіші)';
COMMENT ON COLUMN ref.t_citizen.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.t_citizen.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.t_citizen.lev IS 'tree level (Ағаш деңгейі)';
COMMENT ON COLUMN ref.t_citizen.shifr IS 'system cipher (Жүйелік шифр)';
COMMENT ON COLUMN ref.t_citizen.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.t_citizen.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.t_citizen.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_nation (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_nation IS 'F_NATION: nationalities (Ұлттар анықтамалығы)';
COMMENT ON COLUMN ref.f_nation.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_nation.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_nation.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_nation.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_nation.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_nation.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_marital (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_marital IS 'F_MARITAL: marital statuses (Отбасылық жағдай анықтамалығы)';
COMMENT ON COLUMN ref.f_marital.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_marital.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_marital.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_marital.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_marital.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_marital.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_training (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_training IS 'F_TRAINING: education types (Білім түрлері анықтамалығы)';
COMMENT ON COLUMN ref.f_training.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_training.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_training.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_training.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_training.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_training.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_position (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_position IS 'F_POSITION: social positions (Әлеуметтік жағдай анықтамалығы)';
COMMENT ON COLUMN ref.f_position.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_position.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_position.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_position.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_position.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_position.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_passtype (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_passtype IS 'F_PASSTYPE: identity document types (Жеке басты куәландыратын құжаттар анықтамалығы)';
COMMENT ON COLUMN ref.f_passtype.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_passtype.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_passtype.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_passtype.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_passtype.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_passtype.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_coordstate (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_coordstate IS 'F_COORDSTATE: coordination statuses (Келісу мәртебелері анықтамалығы)';
COMMENT ON COLUMN ref.f_coordstate.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_coordstate.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_coordstate.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_coordstate.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_coordstate.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_coordstate.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_immdecis (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_immdecis IS 'F_IMMDECIS: decisions on change of citizenship (Азаматтықты ауыстыру бойынша шешімдер анықтамалығы)';
COMMENT ON COLUMN ref.f_immdecis.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_immdecis.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_immdecis.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_immdecis.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_immdecis.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_immdecis.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';

CREATE TABLE ref.f_pmjdecis (
    code integer PRIMARY KEY,
    name text NOT NULL,
    kzname text,
    exist smallint CHECK (exist IN (0, 1)),
    loaded_by bigint NOT NULL REFERENCES ops.dictionary_load (load_id),
    withdrawn_by bigint REFERENCES ops.dictionary_load (load_id)
);
COMMENT ON TABLE ref.f_pmjdecis IS 'F_PMJDECIS: residence decisions by type (Түрлері бойынша тұруға шешімдер анықтамалығы)';
COMMENT ON COLUMN ref.f_pmjdecis.code IS 'identifier (Сәйкестендіргіш)';
COMMENT ON COLUMN ref.f_pmjdecis.name IS 'name in Russian (Орыс тіліндегі атауы)';
COMMENT ON COLUMN ref.f_pmjdecis.kzname IS 'name in Kazakh (Қазақ тіліндегі атауы)';
COMMENT ON COLUMN ref.f_pmjdecis.exist IS '1 in use, 0 liquidated (1- қолданыста (0 - таратылған))';
COMMENT ON COLUMN ref.f_pmjdecis.loaded_by IS 'the dictionary load that last added or changed the row';
COMMENT ON COLUMN ref.f_pmjdecis.withdrawn_by IS 'the dictionary load whose file no longer held this code (the code is kept)';
