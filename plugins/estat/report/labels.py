"""The quality report's words: labels in Russian, Kazakh and English, and how figures read.

Every heading and column of the report is a :class:`Label` in the three languages, shown
as "Полнота / Толықтығы / Completeness". Tables, fields and dictionaries take their Kazakh
and English meanings from the exchange contract (:mod:`estat.contract`), which words them
as the joint order does; their Russian names are kept here, and a test holds them to the
contract so that no field goes without one.

Figures are written the way Russian and Kazakh write them: a decimal comma, groups of
thousands parted by a no-break space, dates as DD.MM.YYYY. Times are shown in Kazakhstan's
time, UTC+5, whatever the warehouse's session time zone, so the pages do not depend on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_FLOOR, Decimal

from estat.contract import DICTIONARIES, TABLES

NO_VALUE = "—"
_NBSP = "\u00a0"

# Kazakhstan keeps one time zone, UTC+5, since 1 March 2024.
REPORT_TIME_ZONE = timezone(timedelta(hours=5), "UTC+5")


@dataclass(frozen=True)
class Label:
    """One label in the report's three languages."""

    ru: str
    kk: str
    en: str

    @property
    def text(self) -> str:
        return f"{self.ru} / {self.kk} / {self.en}"


# --- headings and columns -----------------------------------------------------------------

REPORT = Label("Отчёт о качестве данных", "Деректер сапасы туралы есеп", "Data quality report")
SOURCE = Label(
    "Административные данные о миграции из Burkit-MO",
    "Burkit-MO жүйесінен көші-қон туралы әкімшілік деректер",
    "Administrative data on migration from Burkit-MO",
)
PERIODS = Label("Отчётные периоды", "Есепті кезеңдер", "Reporting periods")
PERIOD = Label("Отчётный период", "Есепті кезең", "Reporting period")
ALL_PERIODS = Label("Все отчётные периоды", "Барлық есепті кезеңдер", "All reporting periods")
NO_PERIODS = Label(
    "Обработанных файлов выгрузки пока нет",
    "Өңделген экспорт файлдары әзірге жоқ",
    "No export file has been processed yet",
)
KIND = Label("Вид выгрузки", "Экспорт түрі", "Kind of export")
KINDS = {
    "EMIGRANT": Label("Эмиграция", "Эмиграция", "Emigration"),
    "IMMIGRANT": Label("Иммиграция", "Иммиграция", "Immigration"),
}
NO_FILES_OF_KIND = Label(
    "Файлов этого вида за период нет",
    "Кезеңде бұл түрдегі файлдар жоқ",
    "No file of this kind for the period",
)
SUMMARY = Label("Сводка за период", "Кезең бойынша жиынтық", "Period summary")
FILES = Label("Файлы выгрузки", "Экспорт файлдары", "Export files")
FILE = Label("Файл", "Файл", "File")
FILE_COUNT = Label("Файлов", "Файлдар", "Files")
FILES_LOADED = Label("Загружено", "Жүктелді", "Loaded")
FILES_REFUSED = Label("Отклонено", "Қабылданбады", "Refused")
FILES_DUPLICATE = Label("Повторов", "Қайталамалар", "Duplicates")
UNDATED = Label(
    "Файлы без отчётного периода",
    "Есепті кезеңі жоқ файлдар",
    "Files without a reporting period",
)
PERIOD_FROM_NAME = Label(
    "период и вид взяты из имени файла: файл отклонён до чтения заголовка",
    "кезең мен түр файл атауынан алынды: файл тақырыбы оқылғанға дейін қабылданбады",
    "period and kind taken from the file name: the file was refused before its header was read",
)
PACKAGE = Label("Пакет", "Пакет", "Package")
PROVENANCE = Label("Источник", "Дереккөз", "Provenance")
STATUS = Label("Статус", "Мәртебесі", "Status")
REASON = Label("Причина", "Себебі", "Reason")
RECEIVED_AT = Label("Поступил", "Келіп түсті", "Received")
LOADED_AT = Label("Загружен", "Жүктелді", "Loaded")
FIRST_RECEIVED_AT = Label("Первое поступление", "Алғашқы түсуі", "First received")
FIRST_LOADED_AT = Label("Первая загрузка", "Алғашқы жүктелуі", "First loaded")
DUE_DATE = Label("Срок представления", "Ұсыну мерзімі", "Due date")
ON_TIME = Label("в срок", "мерзімінде", "on time")
TIME_ZONE_NOTE = Label(
    "Время указано по Астане (UTC+5)",
    "Уақыт Астана уақытымен (UTC+5) көрсетілген",
    "Times are Astana time (UTC+5)",
)
DUPLICATE_OF = Label("Повтор файла", "Файлдың қайталамасы", "Duplicate of")
NOTHING_LOADED = Label(
    "Содержимое уже загружено: ничего не загружалось повторно",
    "Мазмұны бұрын жүктелген: ештеңе қайта жүктелмеді",
    "Its content was already loaded: nothing was loaded again",
)
NOT_CHECKED = Label(
    "Записи не проверялись: файл отклонён до их чтения",
    "Жазбалар тексерілмеді: файл олар оқылғанға дейін қабылданбады",
    "Records not checked: the file was refused before they were read",
)

COMPLETENESS = Label("Полнота", "Толықтығы", "Completeness")
TABLE = Label("Таблица", "Кесте", "Table")
FIELD = Label("Поле", "Өріс", "Field")
ROWS_DECLARED = Label("Заявлено строк", "Мәлімделген жолдар", "Rows declared")
ROWS_RECEIVED = Label("Получено строк", "Алынған жолдар", "Rows received")
ROWS_LOADED = Label("Загружено строк", "Жүктелген жолдар", "Rows loaded")
ROWS_QUARANTINED = Label("В карантине", "Карантинде", "Quarantined")
ROWS = Label("Строк", "Жолдар", "Rows")
MANDATORY_FIELDS = Label(
    "Заполненность обязательных полей",
    "Міндетті өрістердің толтырылуы",
    "Mandatory fields present",
)
COMPLETENESS_BY_FIELD = Label(
    "Полнота по полям", "Өрістер бойынша толықтығы", "Completeness by field"
)
MISSING = Label("Не заполнено", "Толтырылмаған", "Missing")
PRESENT_SHARE = Label("Доля заполненных", "Толтырылған үлесі", "Share present")

CODE_VALIDITY = Label("Корректность кодов", "Кодтардың дұрыстығы", "Code validity")
VALID_CODES_BY_FIELD = Label(
    "Доля допустимых кодов по полям",
    "Өрістер бойынша жарамды кодтар үлесі",
    "Valid codes by field",
)
DICTIONARY = Label("Справочник", "Анықтамалық", "Dictionary")
CODED = Label("Указано кодов", "Көрсетілген кодтар", "Codes given")
INVALID = Label("Недопустимых", "Жарамсыз", "Invalid")
VALID_SHARE = Label("Доля допустимых", "Жарамды үлесі", "Valid share")
LIQUIDATED = Label(
    "Упразднённые коды (предупреждения)",
    "Таратылған кодтар (ескертулер)",
    "Liquidated codes (warnings)",
)

IDENTITY = Label("Проверка ИИН", "ЖСН тексеру", "Identity checks (IIN)")
CHECK = Label("Проверка", "Тексеру", "Check")
CHECKED = Label("Проверено", "Тексерілді", "Checked")
FAILED = Label("Не прошли", "Өтпеді", "Failed")

REJECTIONS = Label(
    "Отклонённые записи по правилам",
    "Ережелер бойынша қабылданбаған жазбалар",
    "Rejected records by rule",
)
REJECTIONS_OVER_PERIODS = Label(
    "Отклонённые записи по правилам и периодам",
    "Кезеңдер мен ережелер бойынша қабылданбаған жазбалар",
    "Rejected records by rule over the periods",
)
SEVERAL_REASONS = Label(
    "Запись, нарушившая несколько правил, учтена по каждому из них",
    "Бірнеше ережені бұзған жазба әрқайсысы бойынша есептелген",
    "A record that broke several rules is counted under each",
)
NO_REJECTIONS = Label("Отклонённых записей нет", "Қабылданбаған жазбалар жоқ", "No rejected record")
RULE = Label("Правило", "Ереже", "Rule")
RECORDS = Label("Записей", "Жазбалар", "Records")
PERSONS_REJECTED = Label("Отклонено лиц", "Қабылданбаған тұлғалар", "Persons rejected")
WARNINGS = Label("Предупреждений", "Ескертулер", "Warnings")
NO_PERSONAL_DATA = Label(
    "Отчёт содержит только количества, без персональных данных",
    "Есепте тек сандар бар, дербес деректер жоқ",
    "The report holds counts only, no personal data",
)

STATUSES = {
    "loaded": Label("загружен", "жүктелді", "loaded"),
    "refused": Label("отклонён", "қабылданбады", "refused"),
    "duplicate": Label("повтор", "қайталама", "duplicate"),
    "processing": Label("обрабатывается", "өңделуде", "processing"),
}

PROVENANCES = {
    "burkit_mo": Label("Burkit-MO", "Burkit-MO", "Burkit-MO"),
    "electronic_media": Label("Электронный носитель", "Электрондық тасығыш", "Electronic media"),
}

# The rules of the expectation suites (estat.exports.suites), and the two of ingestion.
RULES = {
    "required": Label(
        "обязательное поле заполнено", "міндетті өріс толтырылған", "mandatory field present"
    ),
    "length": Label(
        "длина в пределах договора", "ұзындығы келісім шегінде", "within the contract's length"
    ),
    "digits": Label("только цифры", "тек цифрлар", "digits only"),
    "date": Label("допустимая дата", "жарамды күн", "a real date in the contract's form"),
    "year": Label("год из четырёх цифр", "төрт цифрлы жыл", "a four-digit year"),
    "iin": Label(
        "корректный ИИН: контрольный разряд, дата, век",
        "дұрыс ЖСН: бақылау разряды, күні, ғасыры",
        "a valid IIN: check digit, date, century",
    ),
    "iin_agrees": Label(
        "ИИН согласуется с датой рождения и полом",
        "ЖСН туған күнімен және жынысымен сәйкес",
        "the IIN agrees with birth date and sex",
    ),
    "sex": Label("пол 1 или 2", "жынысы 1 немесе 2", "sex is 1 or 2"),
    "flag": Label("признак 0 или 1", "белгі 0 немесе 1", "a flag of 0 or 1"),
    "type_of_kind": Label(
        "TYPE соответствует виду выгрузки",
        "TYPE экспорт түріне сәйкес",
        "TYPE agrees with the kind of file",
    ),
    "code": Label("код есть в справочнике", "код анықтамалықта бар", "a code of its dictionary"),
    "liquidated": Label(
        "упразднённый код (предупреждение)",
        "таратылған код (ескерту)",
        "a liquidated code (a warning)",
    ),
    "date_order": Label("даты по порядку", "күндер ретімен", "dates in order"),
    "unique": Label("идентификатор уникален", "сәйкестендіргіш бірегей", "a unique identifier"),
    "person_in_file": Label("лицо есть в файле", "тұлға файлда бар", "the person is in the file"),
    "gsid_matches": Label(
        "GSID совпадает с GSID лица",
        "GSID тұлғаның GSID-імен сәйкес",
        "the GSID is the person's",
    ),
    "declared_rows": Label(
        "число строк равно заявленному",
        "жолдар саны мәлімделгенге тең",
        "as many rows as declared",
    ),
    "person_rejected": Label(
        "отклонено лицо, к которому относится запись",
        "жазба тиесілі тұлға қабылданбады",
        "the record's person was rejected",
    ),
    "file_refused": Label(
        "файл отклонён целиком", "файл толығымен қабылданбады", "the whole file was refused"
    ),
}

# Why a whole file was refused (ops.export_file.refusal_rule).
REFUSAL_RULES = {
    "not_well_formed": Label(
        "некорректный или обрезанный XML",
        "қате немесе үзілген XML",
        "not well-formed or truncated XML",
    ),
    "doctype": Label("файл содержит DOCTYPE", "файлда DOCTYPE бар", "the file carries a DOCTYPE"),
    "root": Label("неверный корневой элемент", "түбір элементі қате", "a wrong root element"),
    "header": Label("неверный заголовок файла", "файл тақырыбы қате", "a wrong header"),
    "kind": Label("неверный вид выгрузки", "экспорт түрі қате", "a wrong kind"),
    "file_name": Label(
        "имя файла расходится с содержимым",
        "файл атауы мазмұнымен сәйкес емес",
        "the name disagrees with the file",
    ),
    "unknown_table": Label(
        "таблица вне договора", "келісімде жоқ кесте", "a table the contract does not know"
    ),
    "unknown_field": Label(
        "поле вне договора", "келісімде жоқ өріс", "a field the contract does not know"
    ),
    "structure": Label("нарушена структура файла", "файл құрылымы бұзылған", "a broken structure"),
    "declared_rows": RULES["declared_rows"],
    "rejected_share": Label(
        "слишком много отклонённых лиц",
        "қабылданбаған тұлғалар тым көп",
        "too many rejected persons",
    ),
    "conflicting_package": Label(
        "пакет уже загружен из другого файла",
        "пакет басқа файлдан бұрын жүктелген",
        "a package already loaded from another file",
    ),
}

TABLE_NAMES_RU = {
    "M_EMIGRANT": "Сведения о лице (эмиграция)",
    "M_IMMIGRANT": "Сведения о лице (иммиграция)",
    "MC_PASSPORT": "Документы, удостоверяющие личность",
    "MC_EMLABOR": "Образование и трудовая деятельность",
    "MC_EMCHILDS": "Дети на попечении",
    "L_EM2TR": "Образование (связь)",
}

_PERSON_FIELDS_RU = {
    "CODE": "Системный идентификатор записи",
    "GSID": "Идентификатор лица",
    "POSITION": "Социальное положение",
    "TYPE": "Иммиграция / эмиграция",
    "IIN": "ИИН",
    "FIO": "ФИО",
    "BIRTHDAY": "Дата рождения",
    "SEX": "Пол",
    "CITIZ": "Гражданство",
    "NATION": "Национальность",
    "OUCIT": "Страна выбытия",
    "OLDCIT": "Прежнее гражданство",
    "MARITAL": "Семейное положение",
    "PROF": "Профессия и специальность по образованию",
    "CONVICT": "Наличие судимости",
}
_EMCODE_RU = "Запись лица (CODE основной таблицы)"

FIELD_NAMES_RU: dict[str, dict[str, str]] = {
    "M_EMIGRANT": _PERSON_FIELDS_RU,
    "M_IMMIGRANT": _PERSON_FIELDS_RU,
    "MC_PASSPORT": {
        "CODE": "Системный идентификатор документа",
        "EMCODE": _EMCODE_RU,
        "GSID": "Идентификатор лица (GSID основной таблицы)",
        "CITIZEN": "Страна, выдавшая документ",
        "PTYPE": "Вид документа",
        "PNUM": "Номер документа",
        "PSERIA": "Серия документа",
        "GIVEDATE": "Дата выдачи",
        "ENDDATE": "Действителен до",
    },
    "MC_EMLABOR": {
        "CODE": "Системный идентификатор",
        "EMCODE": _EMCODE_RU,
        "FIRMA": "Организация, должность",
        "STDATE": "Дата поступления",
        "ENDATE": "Дата окончания / увольнения",
    },
    "MC_EMCHILDS": {
        "CODE": "Системный идентификатор",
        "IIN": "ИИН ребёнка",
        "EMCODE": "Запись родителя",
        "FIO": "ФИО ребёнка",
        "BIRTHYEAR": "Год рождения",
        "CITIZEN": "Страна, выдавшая документ ребёнка",
        "PNUM": "Номер документа ребёнка",
        "PSERIA": "Серия документа ребёнка",
        "GIVEDATE": "Дата выдачи",
        "ENDDATE": "Действителен до",
    },
    "L_EM2TR": {
        "EMCODE": _EMCODE_RU,
        "TRCODE": "Вид образования",
    },
}

DICTIONARY_NAMES_RU = {
    "T_CITIZEN": "Страны",
    "F_NATION": "Национальности",
    "F_MARITAL": "Семейное положение",
    "F_TRAINING": "Виды образования",
    "F_POSITION": "Социальное положение",
    "F_PASSTYPE": "Документы, удостоверяющие личность",
    "F_COORDSTATE": "Статусы согласования",
    "F_IMMDECIS": "Решения о смене гражданства",
    "F_PMJDECIS": "Решения о проживании по видам",
}


def table_label(table: str) -> Label:
    """A contract table's name; an unknown table keeps its own name in every language."""
    if table not in TABLES:
        return Label(table, table, table)
    found = TABLES[table]
    return Label(TABLE_NAMES_RU.get(table, table), found.meaning_kk, found.meaning_en)


def field_label(table: str, field: str) -> Label:
    """A contract field's meaning: Russian from this module, Kazakh and English from contract."""
    try:
        found = TABLES[table].field(field)
    except KeyError:
        return Label(field, field, field)
    return Label(
        FIELD_NAMES_RU.get(table, {}).get(field, field), found.meaning_kk, found.meaning_en
    )


def dictionary_label(name: str) -> Label:
    if name not in DICTIONARIES:
        return Label(name, name, name)
    found = DICTIONARIES[name]
    return Label(DICTIONARY_NAMES_RU.get(name, name), found.meaning_kk, found.meaning_en)


def rule_label(rule: str) -> Label:
    return RULES.get(rule, Label(rule, rule, rule))


def refusal_label(rule: str) -> Label:
    return REFUSAL_RULES.get(rule, Label(rule, rule, rule))


def late_label(days: int) -> Label:
    return Label(f"опоздание {days} дн.", f"{days} күн кешікті", f"{days} days late")


# --- figures ------------------------------------------------------------------------------


def number(value: int | None) -> str:
    """A count, thousands parted by a no-break space: ``12 345``; none is a dash."""
    if value is None:
        return NO_VALUE
    return f"{value:,}".replace(",", _NBSP)


def percent(share: Decimal | float | None) -> str:
    """A share as a percentage with one decimal, rounded down: ``97,5 %``.

    Rounding down keeps a share that is not whole from reading as 100 %.
    """
    if share is None:
        return NO_VALUE
    value = (Decimal(str(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return f"{value}{_NBSP}%".replace(".", ",")


def day(value: date | None) -> str:
    return NO_VALUE if value is None else f"{value:%d.%m.%Y}"


def moment(value: datetime | None) -> str:
    """A point in time in Kazakhstan's time, to the second: ``01.02.2026 09:15:07``."""
    if value is None:
        return NO_VALUE
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return f"{value.astimezone(REPORT_TIME_ZONE):%d.%m.%Y %H:%M:%S}"


def local_day(value: datetime) -> date:
    """The calendar day in Kazakhstan's time on which ``value`` fell."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(REPORT_TIME_ZONE).date()
