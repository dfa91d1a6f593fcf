-- Export files: the ledger of every delivered file, the loaded tables (schema burkit), the
-- rejected records (schema quarantine) and the outcome of every expectation per file.
-- A file is loaded once: the ledger refuses a second loaded row with the same content
-- (SHA-256) or the same package, whatever the timing of the runs that try.

CREATE SCHEMA IF NOT EXISTS burkit;
CREATE SCHEMA IF NOT EXISTS quarantine;

CREATE TABLE ops.export_file (
    file_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name text NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes bigint NOT NULL,
    provenance text NOT NULL CHECK (provenance IN ('burkit_mo', 'electronic_media')),
    status text NOT NULL
        CHECK (status IN ('received', 'processing', 'loaded', 'refused', 'duplicate')),
    package text,
    kind text CHECK (kind IN ('EMIGRANT', 'IMMIGRANT')),
    period_start date,
    period_end date,
    created_by_sender timestamp,
    duplicate_of bigint REFERENCES ops.export_file (file_id),
    refusal_rule text,
    reason text,
    rows_received integer,
    rows_loaded integer,
    rows_quarantined integer,
    persons_rejected integer,
    warnings integer,
    attempts integer NOT NULL DEFAULT 0,
    received_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    filed_as text,
    CHECK ((status = 'refused') = (reason IS NOT NULL)),
    CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL))
);
CREATE UNIQUE INDEX export_file_loaded_once ON ops.export_file (sha256) WHERE status = 'loaded';
CREATE UNIQUE INDEX export_file_package_once ON ops.export_file (package)
    WHERE status = 'loaded';
CREATE INDEX export_file_by_sha256 ON ops.export_file (sha256);
CREATE INDEX export_file_by_period ON ops.export_file (kind, period_end);
COMMENT ON TABLE ops.export_file IS
    'every delivered export file: where it came from, what became of it and why';
COMMENT ON COLUMN ops.export_file.provenance IS
    'burkit_mo: written by the export software; electronic_media: imported from removable media';
COMMENT ON COLUMN ops.export_file.status IS
    'received (media import, not yet ingested), processing, loaded, refused or duplicate';
COMMENT ON COLUMN ops.export_file.filed_as IS
    'where the original bytes were filed away (archive or quarantine directory)';

CREATE TABLE ops.export_file_table (
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    table_name text NOT NULL,
    rows_declared integer NOT NULL,
    rows_received integer NOT NULL,
    rows_loaded integer NOT NULL,
    rows_quarantined integer NOT NULL,
    PRIMARY KEY (file_id, table_name),
    CHECK (rows_loaded + rows_quarantined = rows_received)
);
COMMENT ON TABLE ops.export_file_table IS
    'per export file and table: rows declared (the rows attribute), received, loaded, quarantined';

CREATE TABLE ops.validation_outcome (
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    table_name text NOT NULL,
    expectation text NOT NULL,
    rule text NOT NULL,
    field text,
    severity text NOT NULL,
    success boolean NOT NULL,
    element_count integer,
    unexpected_count integer
);
CREATE INDEX validation_outcome_by_file ON ops.validation_outcome (file_id, table_name);
COMMENT ON TABLE ops.validation_outcome IS
    'the result of every expectation on every table of every checked export file (counts only)';

CREATE TABLE quarantine.rejected_record (
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    table_name text NOT NULL,
    row_number integer NOT NULL,
    code text,
    emcode text,
    reasons text[] NOT NULL CHECK (cardinality(reasons) > 0),
    raw jsonb NOT NULL,
    PRIMARY KEY (file_id, table_name, row_number)
);
COMMENT ON TABLE quarantine.rejected_record IS
    'every rejected record of an export file: the rules it broke (rule:FIELD) and its values as received';

CREATE TABLE burkit.m_emigrant (
    code character varying(13) NOT NULL,
    gsid character varying(13) NOT NULL,
    position integer,
    type character(1) NOT NULL,
    iin character(12) NOT NULL,
    fio character varying(50) NOT NULL,
    birthday date NOT NULL,
    sex smallint NOT NULL,
    citiz integer NOT NULL,
    nation integer,
    oucit integer,
    oldcit integer,
    marital integer,
    prof character varying(300),
    convict smallint,
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    row_number integer NOT NULL,
    PRIMARY KEY (code)
);
COMMENT ON TABLE burkit.m_emigrant IS 'M_EMIGRANT: the person (emigration) (Тұлға туралы мәлімет)';
COMMENT ON COLUMN burkit.m_emigrant.code IS 'system identifier of the record (Жүйелік сәйкестендіргіш)';
COMMENT ON COLUMN burkit.m_emigrant.gsid IS 'person identifier (Адамды сәйкестендіргіш)';
COMMENT ON COLUMN burkit.m_emigrant.position IS 'social position (Әлеуметтік ахуал)';
COMMENT ON COLUMN burkit.m_emigrant.type IS 'immigration / emigration (Иммиграция\Эмиграция)';
COMMENT ON COLUMN burkit.m_emigrant.iin IS 'the person''s IIN (Адамның ЖСН)';
COMMENT ON COLUMN burkit.m_emigrant.fio IS 'surname, name, patronymic (Адамның Т.А.Ә.)';
COMMENT ON COLUMN burkit.m_emigrant.birthday IS 'date of birth (Туған күні)';
COMMENT ON COLUMN burkit.m_emigrant.sex IS 'sex (Жынысы)';
COMMENT ON COLUMN burkit.m_emigrant.citiz IS 'country of citizenship (Азаматтығы мемлекетінің коды)';
COMMENT ON COLUMN burkit.m_emigrant.nation IS 'nationality (Ұлтының коды)';
COMMENT ON COLUMN burkit.m_emigrant.oucit IS 'country of departure (Шығу елінің коды)';
COMMENT ON COLUMN burkit.m_emigrant.oldcit IS 'country of former citizenship (Бұрын шетел азаматтығы болған мемлекеттің коды)';
COMMENT ON COLUMN burkit.m_emigrant.marital IS 'marital status (Отбасылық жағдайының коды)';
COMMENT ON COLUMN burkit.m_emigrant.prof IS 'profession and speciality by education (Білімі бойынша кәсібі мен мамандығы)';
COMMENT ON COLUMN burkit.m_emigrant.convict IS 'has a criminal record (Сотталғандығының болуы)';
COMMENT ON COLUMN burkit.m_emigrant.file_id IS 'the export file';
COMMENT ON COLUMN burkit.m_emigrant.row_number IS 'the row''s position in its table in that file';

CREATE TABLE burkit.m_immigrant (
    code character varying(13) NOT NULL,
    gsid character varying(13) NOT NULL,
    position integer,
    type character(1) NOT NULL,
    iin character(12),
    fio character varying(50) NOT NULL,
    birthday date NOT NULL,
    sex smallint NOT NULL,
    citiz integer NOT NULL,
    nation integer,
    oucit integer,
    oldcit integer,
    marital integer,
    prof character varying(300),
    convict smallint,
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    row_number integer NOT NULL,
    PRIMARY KEY (code)
);
COMMENT ON TABLE burkit.m_immigrant IS 'M_IMMIGRANT: the person (immigration) (Адам туралы мәлімет)';
COMMENT ON COLUMN burkit.m_immigrant.code IS 'system identifier of the record (Жүйелік сәйкестендіргіш)';
COMMENT ON COLUMN burkit.m_immigrant.gsid IS 'person identifier (Адамды сәйкестендіргіш)';
COMMENT ON COLUMN burkit.m_immigrant.position IS 'social position (Әлеуметтік ахуал)';
COMMENT ON COLUMN burkit.m_immigrant.type IS 'immigration / emigration (Иммиграция\Эмиграция)';
COMMENT ON COLUMN burkit.m_immigrant.iin IS 'the person''s IIN (Адамның ЖСН)';
COMMENT ON COLUMN burkit.m_immigrant.fio IS 'surname, name, patronymic (Адамның Т.А.Ә.)';
COMMENT ON COLUMN burkit.m_immigrant.birthday IS 'date of birth (Туған күні)';
COMMENT ON COLUMN burkit.m_immigrant.sex IS 'sex (Жынысы)';
COMMENT ON COLUMN burkit.m_immigrant.citiz IS 'country of citizenship (Азаматтығы мемлекетінің коды)';
COMMENT ON COLUMN burkit.m_immigrant.nation IS 'nationality (Ұлтының коды)';
COMMENT ON COLUMN burkit.m_immigrant.oucit IS 'country of departure (Шығу елінің коды)';
COMMENT ON COLUMN burkit.m_immigrant.oldcit IS 'country of former citizenship (Бұрын шетел азаматтығы болған мемлекеттің коды)';
COMMENT ON COLUMN burkit.m_immigrant.marital IS 'marital status (Отбасылық жағдайының коды)';
COMMENT ON COLUMN burkit.m_immigrant.prof IS 'profession and speciality by education (Білімі бойынша кәсібі мен мамандығы)';
COMMENT ON COLUMN burkit.m_immigrant.convict IS 'has a criminal record (Сотталғандығының болуы)';
COMMENT ON COLUMN burkit.m_immigrant.file_id IS 'the export file';
COMMENT ON COLUMN burkit.m_immigrant.row_number IS 'the row''s position in its table in that file';

CREATE TABLE burkit.mc_passport (
    kind text NOT NULL CHECK (kind IN ('EMIGRANT', 'IMMIGRANT')),
    code character varying(13) NOT NULL,
    emcode character varying(13) NOT NULL,
    gsid character varying(13),
    citizen integer,
    ptype integer NOT NULL,
    pnum character varying(15) NOT NULL,
    pseria character varying(15),
    givedate date,
    enddate date,
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    row_number integer NOT NULL,
    PRIMARY KEY (kind, code)
);
CREATE INDEX mc_passport_by_person ON burkit.mc_passport (kind, emcode);
COMMENT ON TABLE burkit.mc_passport IS 'MC_PASSPORT: identity documents (Құжаттары туралы мәліметтер)';
COMMENT ON COLUMN burkit.mc_passport.kind IS 'the kind of export file: EMIGRANT or IMMIGRANT';
COMMENT ON COLUMN burkit.mc_passport.code IS 'system identifier of the document (Құжаттың жүйелік сәйкестендіргіші)';
COMMENT ON COLUMN burkit.mc_passport.emcode IS 'the person''s record (main table CODE) (Негізгі кесте жазбасының жүйелік сәйкестендіргіші)';
COMMENT ON COLUMN burkit.mc_passport.gsid IS 'the person''s identifier (main table GSID) (Негізгі кесте жазбасының адамды сәйкестендіргіші)';
COMMENT ON COLUMN burkit.mc_passport.citizen IS 'issuing country (Құжатты берген мемлекеттің коды)';
COMMENT ON COLUMN burkit.mc_passport.ptype IS 'document type (Құжат түрінің коды)';
COMMENT ON COLUMN burkit.mc_passport.pnum IS 'document number (Құжаттың нөмірі)';
COMMENT ON COLUMN burkit.mc_passport.pseria IS 'document series (Құжаттың сериясы)';
COMMENT ON COLUMN burkit.mc_passport.givedate IS 'issue date (Құжаттың берілген күні)';
COMMENT ON COLUMN burkit.mc_passport.enddate IS 'valid until (Құжаттың жарамдылық мерзімі)';
COMMENT ON COLUMN burkit.mc_passport.file_id IS 'the export file';
COMMENT ON COLUMN burkit.mc_passport.row_number IS 'the row''s position in its table in that file';

CREATE TABLE burkit.mc_emlabor (
    kind text NOT NULL CHECK (kind IN ('EMIGRANT', 'IMMIGRANT')),
    code character varying(13) NOT NULL,
    emcode character varying(13) NOT NULL,
    firma character varying(100) NOT NULL,
    stdate date,
    endate date,
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    row_number integer NOT NULL,
    PRIMARY KEY (kind, code)
);
CREATE INDEX mc_emlabor_by_person ON burkit.mc_emlabor (kind, emcode);
COMMENT ON TABLE burkit.mc_emlabor IS 'MC_EMLABOR: education and employment (Білімі мен жұмыспен қамтылуы туралы мәліметтер)';
COMMENT ON COLUMN burkit.mc_emlabor.kind IS 'the kind of export file: EMIGRANT or IMMIGRANT';
COMMENT ON COLUMN burkit.mc_emlabor.code IS 'system identifier (Еңбек қызметінің жүйелік сәйкестендіргіші)';
COMMENT ON COLUMN burkit.mc_emlabor.emcode IS 'the person''s record (main table CODE) (Негізгі кесте жазбасының жүйелік сәйкестендіргіші)';
COMMENT ON COLUMN burkit.mc_emlabor.firma IS 'organisation, position (Ұйымы, лауазымы)';
COMMENT ON COLUMN burkit.mc_emlabor.stdate IS 'start date (Түскен күні)';
COMMENT ON COLUMN burkit.mc_emlabor.endate IS 'end / dismissal date (Аяқтау / босату күні)';
COMMENT ON COLUMN burkit.mc_emlabor.file_id IS 'the export file';
COMMENT ON COLUMN burkit.mc_emlabor.row_number IS 'the row''s position in its table in that file';

CREATE TABLE burkit.mc_emchilds (
    kind text NOT NULL CHECK (kind IN ('EMIGRANT', 'IMMIGRANT')),
    code character varying(13) NOT NULL,
    iin character(12),
    emcode character varying(13) NOT NULL,
    fio character varying(50) NOT NULL,
    birthyear smallint,
    citizen integer,
    pnum character varying(15),
    pseria character varying(15),
    givedate date,
    enddate date,
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    row_number integer NOT NULL,
    PRIMARY KEY (kind, code)
);
CREATE INDEX mc_emchilds_by_person ON burkit.mc_emchilds (kind, emcode);
COMMENT ON TABLE burkit.mc_emchilds IS 'MC_EMCHILDS: children under the person''s care (Ортақ балалары туралы мәліметтер)';
COMMENT ON COLUMN burkit.mc_emchilds.kind IS 'the kind of export file: EMIGRANT or IMMIGRANT';
COMMENT ON COLUMN burkit.mc_emchilds.code IS 'system identifier (Келесі ортақ балалары туралы жазбаның жүйелік сәйкестендіргіші)';
COMMENT ON COLUMN burkit.mc_emchilds.iin IS 'the child''s IIN (Баланың ЖСН)';
COMMENT ON COLUMN burkit.mc_emchilds.emcode IS 'the parent''s record (Негізгі кесте жазбасының жүйелік сәйкестендіргіші)';
COMMENT ON COLUMN burkit.mc_emchilds.fio IS 'the child''s full name (Адамның Т.А.Ә.)';
COMMENT ON COLUMN burkit.mc_emchilds.birthyear IS 'year of birth (Туған жылы)';
COMMENT ON COLUMN burkit.mc_emchilds.citizen IS 'country that issued the child''s document (Құжатты берген мемлекеттің коды)';
COMMENT ON COLUMN burkit.mc_emchilds.pnum IS 'document number (Баланың құжатының нөмірі)';
COMMENT ON COLUMN burkit.mc_emchilds.pseria IS 'document series (Баланың құжатының сериясы)';
COMMENT ON COLUMN burkit.mc_emchilds.givedate IS 'issue date (Құжаттың берілген күні)';
COMMENT ON COLUMN burkit.mc_emchilds.enddate IS 'valid until (Құжаттың жарамдылық мерзімі)';
COMMENT ON COLUMN burkit.mc_emchilds.file_id IS 'the export file';
COMMENT ON COLUMN burkit.mc_emchilds.row_number IS 'the row''s position in its table in that file';

CREATE TABLE burkit.l_em2tr (
    kind text NOT NULL CHECK (kind IN ('EMIGRANT', 'IMMIGRANT')),
    emcode character varying(13) NOT NULL,
    trcode integer NOT NULL,
    file_id bigint NOT NULL REFERENCES ops.export_file (file_id),
    row_number integer NOT NULL,
    PRIMARY KEY (kind, emcode, trcode)
);
CREATE INDEX l_em2tr_by_person ON burkit.l_em2tr (kind, emcode);
COMMENT ON TABLE burkit.l_em2tr IS 'L_EM2TR: education (link) (Білімі туралы деректер атрибуттары)';
COMMENT ON COLUMN burkit.l_em2tr.kind IS 'the kind of export file: EMIGRANT or IMMIGRANT';
COMMENT ON COLUMN burkit.l_em2tr.emcode IS 'the person''s record (main table CODE) (Негізгі кесте жазбасының жүйелік сәйкестендіргіші)';
COMMENT ON COLUMN burkit.l_em2tr.trcode IS 'education type (Білім коды)';
COMMENT ON COLUMN burkit.l_em2tr.file_id IS 'the export file';
COMMENT ON COLUMN burkit.l_em2tr.row_number IS 'the row''s position in its table in that file';
