"""How the exchange contract's text values are read as dates, years and IINs, column-wise.

The expectations that check a file and the loader that types its rows share these, so a
value that passes a check is the value that is loaded.
"""

from __future__ import annotations

import pandas as pd

from estat import iin

# Dates are DD.MM.YYYY; where the order gives a date field a length of 8, DDMMYYYY too.
_DOTTED = r"^\d{2}\.\d{2}\.\d{4}$"
_COMPACT = r"^\d{8}$"


def parse_dates(values: pd.Series, *, compact_allowed: bool) -> pd.Series:
    """The dates ``values`` hold (datetime64), NaT where a value is missing or no date."""
    text = values.astype("str")
    dotted = text.str.fullmatch(_DOTTED, na=False)
    parsed = pd.to_datetime(text.where(dotted), format="%d.%m.%Y", errors="coerce")
    if compact_allowed:
        compact = text.str.fullmatch(_COMPACT, na=False)
        parsed = parsed.fillna(
            pd.to_datetime(text.where(compact), format="%d%m%Y", errors="coerce")
        )
    return parsed


def iin_problems(values: pd.Series) -> pd.Series:
    """Why each IIN is invalid (None where valid or missing); never the IIN itself."""
    return values.map(lambda v: None if pd.isna(v) else iin.problem(v))


def iin_birth_dates(values: pd.Series) -> pd.Series:
    """The birth date each IIN encodes (datetime64), NaT where it encodes none."""
    return pd.to_datetime(
        values.map(lambda v: None if pd.isna(v) else iin.birth_date(v)), errors="coerce"
    )


def iin_sexes(values: pd.Series) -> pd.Series:
    """The SEX code (``"1"`` or ``"2"``) each IIN encodes, None where it encodes none."""
    return values.map(lambda v: None if pd.isna(v) or iin.sex(v) is None else str(iin.sex(v)))
