"""SPSS (.sav) and Stata (.dta) copies of the export's tables, streamed from the table's CSV.

`add()` reads the CSV the export spooled to disk (header = column names, empty cell =
missing) and writes `<table>.sav` and `<table>.dta` straight into the open zip. It writes
both formats itself, from their published descriptions (the PSPP developers' manual, "System
File Format"; Stata's `help dta`, format 118), in passes over the CSV, 1,000 rows at a time:
the first finds the number of rows and the widest value of every string column (both formats
declare them before the data), the next write the .sav, the .dta and, if a column needs
strL, the .dta's strL section. Memory is bounded by one batch of rows, whatever the number of
rows; nothing is imported beyond the standard library (pandas and pyreadstat are only needed
to read the files back, in tests).

What the files hold, for every column of the data dictionary (journal/datadict.py):
- Categories (string columns with allowed values): integer codes 1…n in the declared order,
  with value labels; booleans 0/1 labelled false/true. Numbers in SPSS, `byte` in Stata.
- The 0–10 scale (integer columns with values 0…10): the numbers, each labelled: 0 "0 no
  realistic chance", 1 … 9 "1" … "9", 10 "10 very likely". Other integers are plain
  numbers (`long` in Stata).
- Pseudonyms and free text: strings, UTF-8. SPSS: up to 32,767 bytes (longer strings than
  255 bytes are "very long strings", subtype 14); a longer value is cut at a character
  boundary to fit, and only in the .sav (the app's limits on free text keep values far below
  it). SPSS pads strings with spaces, so trailing spaces are not kept there. Stata: str1 …
  str2045, and strL for a column whose widest value is longer than 2,045 bytes.
- Missing values: SPSS system-missing for numbers, Stata `.`; an empty string for strings.
- Variable labels from the column's meaning (Stata: at most 80 characters), the table's
  meaning as the file label.
- SPSS measurement levels: nominal for pseudonyms, categories, booleans and free text;
  ordinal for the 0–10 scale and ordered categories (confidence: low < medium < high);
  scale for day counts and other numbers.
- No date finer than the month of export (DESIGN.md "Research export"): the .sav creation
  date is the first of the month at 00:00, the .dta has no time stamp, and so do the zip
  entries written here.
The .sav is bytecode-compressed (SPSS's usual "compressed" format), so padding costs a byte
per 8; both files are deflated in the zip like every other member.
"""
import csv
import struct
import sys
from itertools import accumulate, chain, islice, repeat, starmap

from . import clock
from .zipmembers import member
from .expectations import CONFIDENCES

STATA_LABEL = 80  # Stata's limit on a variable label, in characters
SAV_STRING = 32767  # the widest SPSS string, in bytes
STATA_STR = 2045  # the widest fixed-width Stata string (str#); wider columns are strL
ORDERED = (tuple(CONFIDENCES),)  # categories with an order: ordinal in SPSS
SCALE = tuple(range(11))
SCALE_WORDS = {0: "no realistic chance", 10: "very likely"}  # datadict: "0 no realistic chance … 10 very likely"
NOMINAL, ORDINAL, CONTINUOUS = 1, 2, 3  # SPSS measurement levels
ROWS = 1000  # rows read, converted and written at a time


class Variable:
    """How one column of the data dictionary is written to SPSS and Stata."""

    def __init__(self, column):
        self.name = column.name
        self.label = column.meaning
        self.codes = None  # CSV text → number, for categories and booleans
        self.labels = {}  # number → value label
        self.numeric = True
        self.integer = True
        values = tuple(column.values)
        if column.type == "string" and values:
            self.codes = {str(v): code for code, v in enumerate(values, start=1)}
            self.measure = ORDINAL if values in ORDERED else NOMINAL
        elif column.type == "boolean":
            self.codes = {"false": 0, "true": 1}
            self.measure = NOMINAL
        elif column.type == "integer":
            self.measure = ORDINAL if values else CONTINUOUS
            if values == SCALE:
                self.labels = {v: f"{v} {SCALE_WORDS[v]}" if v in SCALE_WORDS else str(v) for v in SCALE}
        elif column.type == "number":
            self.integer = False
            self.measure = CONTINUOUS
        else:
            self.numeric = False
            self.measure = NOMINAL
        if self.codes:
            self.labels = {code: text for text, code in self.codes.items()}
        self.width = 0  # widest value in bytes (strings)
        self.cut = 0  # values cut to fit SPSS's widest string
        self.strl_bytes = 0  # bytes of non-empty values, for Stata's strL section
        self.strl_count = 0

    def number(self, text):
        """The number a CSV cell stands for, or None if it is empty."""
        if text == "":
            return None
        if self.codes is not None:
            try:
                return self.codes[text]
            except KeyError:
                raise ValueError(f"{self.name}: {text!r} is not one of {', '.join(self.codes)}") from None
        return int(text) if self.integer else float(text)


def _utf8_cut(data, limit):
    """*data* (UTF-8 bytes) cut to at most *limit* bytes at a character boundary."""
    return data[:limit].decode("utf-8", "ignore").encode("utf-8") if len(data) > limit else data


class _Memo(dict):
    """text → what it is written as, computed once per distinct text (a bounded number of them
    kept: categories, scale points and day counts repeat)."""

    def __init__(self, compute, keep=4096):
        super().__init__()
        self._compute, self._keep = compute, keep

    def __missing__(self, text):
        value = self._compute(text)
        if len(self) < self._keep:
            self[text] = value
        return value


def batches(csv_path, variables, header=False):
    """The CSV's rows after the header, a batch at a time: (rows, columns). Memory: one batch."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # free text well beyond the app's limits
    names = [v.name for v in variables]
    with open(csv_path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        first = next(reader, None)
        if header and first != names:
            raise ValueError(f"the CSV's header {first} is not the table's columns {names}")
        while True:
            rows = list(islice(reader, ROWS))
            if not rows:
                return
            if set(map(len, rows)) != {len(names)}:
                raise ValueError(f"a row of the CSV has not {len(names)} cells")
            yield rows, list(zip(*rows))


def scan(csv_path, variables):
    """First pass: the number of rows; widths and strL sizes of the string columns."""
    strings = [(i, v) for i, v in enumerate(variables) if not v.numeric]
    n = 0
    for rows, cells in batches(csv_path, variables, header=True):
        n += len(rows)
        for i, v in strings:
            sizes = list(map(len, map(str.encode, cells[i])))
            v.width = max(v.width, max(sizes))
            v.strl_bytes += sum(sizes)
            v.strl_count += len(sizes) - sizes.count(0)
    return n


# --- SPSS .sav ----------------------------------------------------------------------------

SYSMIS = -sys.float_info.max
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SAV_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}


def _padded(text, size, fill=b" "):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return _utf8_cut(data, size).ljust(size, fill)


def _short_names(variables):
    """Unique 8-byte SPSS short names; the real names go in the long-names record."""
    used = set()

    def unique(base):
        base = "".join(c for c in base.upper() if c.isalnum() or c == "_") or "V"
        if not base[0].isalpha() or base in SAV_RESERVED:
            base = "V" + base
        name, k = base[:8], 0
        while name in used:
            k += 1
            name = base[: 8 - len(str(k))] + str(k)
        used.add(name)
        return name

    for v in variables:
        v.short = unique(v.name)
    for v in variables:
        v.segment_names = [v.short] + [unique(v.short[:5] + "_") for _ in v.segments[1:]]


def _sav_layout(variables):
    """Width, segments and 8-byte units of every variable; returns the units of a case."""
    units = 0
    for v in variables:
        v.offset = units
        if v.numeric:
            v.sav_width, v.segments = 0, [0]
        else:
            w = max(1, min(v.width, SAV_STRING))
            v.sav_width = w
            if w <= 255:
                v.segments = [w]
            else:
                n = (w + 251) // 252
                v.segments = [255] * (n - 1) + [w - (n - 1) * 252]
        v.units = sum(1 if s == 0 else (s + 7) // 8 for s in v.segments)
        units += v.units
    return units


def _sav_dictionary(table_, variables, n):
    """Everything before the data: header, variables, labels, extension records."""
    units = _sav_layout(variables)
    _short_names(variables)
    i32 = struct.Struct("<i").pack
    out = bytearray()
    month = clock.today()
    out += b"$FL2" + _padded("@(#) SPSS DATA FILE - Forventningsjournal research export", 60)
    out += struct.pack("<iiiiid", 2, units, 1, 0, n if n < 2**31 else -1, 100.0)
    out += _padded(f"01 {MONTHS[month.month - 1]} {month.year % 100:02d}", 9) + b"00:00:00"
    out += _padded(table_.meaning, 64) + b"\0\0\0"
    for v in variables:
        for k, (width, short) in enumerate(zip(v.segments, v.segment_names)):
            fmt = (5 << 16) | (8 << 8) | (0 if v.integer else 2) if v.numeric else (1 << 16) | (width << 8)
            label = _utf8_cut(v.label.encode("utf-8"), 255) if k == 0 and v.label else b""
            out += struct.pack("<iiiiii", 2, width, 1 if label else 0, 0, fmt, fmt) + _padded(short, 8)
            if label:
                out += i32(len(label)) + label.ljust((len(label) + 3) // 4 * 4, b" ")
            for _ in range((width + 7) // 8 - 1):
                out += struct.pack("<iiiiii", 2, -1, 0, 0, 0, 0) + b" " * 8
    for v in variables:
        if v.labels:
            out += i32(3) + i32(len(v.labels))
            for value, text in v.labels.items():
                data = _utf8_cut(text.encode("utf-8"), 120)
                out += struct.pack("<dB", value, len(data)) + data.ljust((len(data) + 1 + 7) // 8 * 8 - 1, b" ")
            out += i32(4) + i32(1) + i32(1 + v.offset)

    def extension(subtype, size, data):
        return struct.pack("<iiii", 7, subtype, size, len(data) // size) + data

    out += extension(3, 4, struct.pack("<8i", 20, 0, 0, -1, 1, 1, 2, 65001))
    # system-missing, highest, lowest (the double just above -DBL_MAX)
    out += extension(4, 8, struct.pack("<ddQ", SYSMIS, sys.float_info.max, 0xFFEFFFFFFFFFFFFE))
    display = bytearray()
    for v in variables:
        width = 8 if v.numeric else max(8, min(v.sav_width, 40))
        for _ in v.segments:
            display += struct.pack("<iii", v.measure, width, 1 if v.numeric else 0)
    out += extension(11, 4, bytes(display))
    out += extension(13, 1, "\t".join(f"{v.short}={v.name}" for v in variables).encode("utf-8"))
    very_long = b"".join(f"{v.short}={v.sav_width:05d}".encode() + b"\0\t" for v in variables if len(v.segments) > 1)
    if very_long:
        out += extension(14, 1, very_long)
    out += extension(16, 8, struct.pack("<qq", 1, n))
    out += extension(20, 1, b"UTF-8")
    out += struct.pack("<ii", 999, 0)
    return bytes(out), units


def _sav_columns(variables):
    """Per variable, a function (a batch of CSV cells) → (compression codes, 8-byte data) per
    cell, or (codes, None) where no cell has data."""
    pack_double = struct.Struct("<d").pack
    columns = []
    for v in variables:
        if v.numeric:
            def code(text, v=v):
                value = v.number(text)
                if value is None:
                    return b"\xff", b""
                if v.integer and -99 <= value <= 151:
                    return bytes([value + 100]), b""
                return b"\xfd", pack_double(value)

            codes = _Memo(lambda text, code=code: code(text)[0])
            if v.codes is not None and len(v.codes) <= 151:  # every code is its compression code: no data
                def column(cells, codes=codes):
                    return list(map(codes.__getitem__, cells)), None
            else:
                data = _Memo(lambda text, code=code: code(text)[1])

                def column(cells, codes=codes, data=data):
                    return list(map(codes.__getitem__, cells)), list(map(data.__getitem__, cells))
        elif len(v.segments) == 1:
            table = [b"\xfd" * k + b"\xfe" * (v.units - k) for k in range(v.units + 1)]

            def column(cells, table=table):
                data = list(map(str.encode, cells))  # never wider than the column: scan() measured it
                units = [(len(d) + 7) >> 3 for d in data]
                return list(map(table.__getitem__, units)), list(map(bytes.ljust, data, [u << 3 for u in units], repeat(b" ")))
        else:
            # a very long string: 255 bytes of the value in each segment of 256 bytes, the last
            # segment holding the rest
            stored = [256] * (len(v.segments) - 1) + [(v.segments[-1] + 7) // 8 * 8]

            def cell(text, v=v, stored=stored):
                data = text.encode("utf-8")
                if len(data) > v.sav_width:
                    data = _utf8_cut(data, v.sav_width)
                    v.cut += 1
                record = b"".join(data[255 * k: 255 * k + 255].ljust(size, b" ") for k, size in enumerate(stored))
                used = (len(record.rstrip(b" ")) + 7) >> 3
                return b"\xfd" * used + b"\xfe" * (v.units - used), record[: used << 3]

            def column(cells, cell=cell):
                pairs = list(map(cell, cells))
                return [p[0] for p in pairs], [p[1] for p in pairs]
        columns.append(column)
    return columns


def write_sav(out, table_, variables, n, csv_path):
    """The .sav to the binary stream *out* (bytecode-compressed data)."""
    dictionary, _units = _sav_dictionary(table_, variables, n)
    out.write(dictionary)
    columns = _sav_columns(variables)
    codes, data = bytearray(), bytearray()  # not yet written: fewer than 8 codes, and their data

    def write(final=False):
        # compression codes go in blocks of 8, each followed by the 8-byte data of its 253s;
        # 252 ends the data, 0 fills the last block
        if final:
            codes.append(252)
            codes.extend(bytes(-len(codes) % 8))
        blocks = [codes[i:i + 8] for i in range(0, len(codes) - len(codes) % 8, 8)]
        ends = list(accumulate(block.count(253) << 3 for block in blocks))
        out.write(b"".join(chain.from_iterable(zip(blocks, map(data.__getitem__, map(slice, [0, *ends], ends))))))
        del codes[: len(blocks) * 8]
        del data[: ends[-1] if ends else 0]

    for _rows, cells in batches(csv_path, variables):
        pieces = [column(texts) for column, texts in zip(columns, cells)]
        codes += b"".join(chain.from_iterable(zip(*(c for c, _d in pieces))))
        with_data = [d for _c, d in pieces if d is not None]
        if with_data:
            data += b"".join(chain.from_iterable(zip(*with_data)))
        write()
    write(final=True)


# --- Stata .dta (format 118) --------------------------------------------------------------

DTA_BYTE, DTA_INT, DTA_LONG, DTA_DOUBLE, DTA_STRL = 65530, 65529, 65528, 65526, 32768
DTA_MISSING = {DTA_BYTE: 101, DTA_INT: 32741, DTA_LONG: 2147483621, DTA_DOUBLE: 2.0 ** 1023}
DTA_PACK = {DTA_BYTE: "b", DTA_INT: "h", DTA_LONG: "l", DTA_DOUBLE: "d", DTA_STRL: "Q"}


def _tag(name, content):
    return b"<" + name.encode() + b">" + content + b"</" + name.encode() + b">"


def _dta_types(variables):
    for v in variables:
        if v.numeric:
            if v.codes is not None:
                top = max(v.codes.values(), default=0)
                v.dta_type = DTA_BYTE if top <= 100 else DTA_INT
            else:
                v.dta_type = DTA_LONG if v.integer else DTA_DOUBLE
            v.dta_format = "%8.0g" if v.integer else "%10.0g"
        elif v.width > STATA_STR:
            v.dta_type, v.dta_format = DTA_STRL, "%9s"
        else:
            v.dta_type = max(1, v.width)
            v.dta_format = f"%-{v.dta_type}s"


def _dta_value_labels(variables):
    out = bytearray()
    for v in variables:
        if not v.labels:
            continue
        texts = [text.encode("utf-8")[:32000] + b"\0" for text in v.labels.values()]
        offsets, at = [], 0
        for text in texts:
            offsets.append(at)
            at += len(text)
        n = len(texts)
        table = struct.pack(f"<ii{n}i{n}i", n, at, *offsets, *v.labels.keys()) + b"".join(texts)
        out += _tag("lbl", struct.pack("<i", len(table)) + _padded(v.name, 129, b"\0") + b"\0\0\0" + table)
    return _tag("value_labels", bytes(out))


def write_dta(out, table_, variables, n, csv_path):
    """The .dta (format 118, little-endian) to the binary stream *out*."""
    _dta_types(variables)
    k = len(variables)
    label = _utf8_cut(table_.meaning[:80].encode("utf-8"), 320)
    header = _tag("header", b"".join((
        _tag("release", b"118"), _tag("byteorder", b"LSF"), _tag("K", struct.pack("<H", k)),
        _tag("N", struct.pack("<Q", n)), _tag("label", struct.pack("<H", len(label)) + label),
        _tag("timestamp", b"\0"),  # no time stamp: nothing finer than the month of export
    )))
    sections = [
        ("variable_types", b"".join(struct.pack("<H", v.dta_type) for v in variables)),
        ("varnames", b"".join(_padded(v.name, 129, b"\0") for v in variables)),
        ("sortlist", b"\0\0" * (k + 1)),
        ("formats", b"".join(_padded(v.dta_format, 57, b"\0") for v in variables)),
        ("value_label_names", b"".join(_padded(v.name if v.labels else "", 129, b"\0") for v in variables)),
        ("variable_labels", b"".join(_padded(v.label[:STATA_LABEL], 321, b"\0") for v in variables)),
        ("characteristics", b""),
    ]
    row = struct.Struct("<" + "".join(DTA_PACK.get(v.dta_type) or f"{v.dta_type}s" for v in variables))
    strls = [(i, v) for i, v in enumerate(variables) if v.dta_type == DTA_STRL]
    strl_size = sum(v.strl_count * (3 + 4 + 8 + 1 + 4 + 1) + v.strl_bytes for _i, v in strls)
    value_labels = _dta_value_labels(variables)

    # the map: offsets of every section, known before the data is written
    start = len(b"<stata_dta>") + len(header)
    map_size = len(_tag("map", b"\0" * 8 * 14))
    offsets = {"stata_data": 0, "map": start}
    at = start + map_size
    blocks = []
    for name, content in sections:
        offsets[name] = at
        blocks.append(_tag(name, content))
        at += len(blocks[-1])
    offsets["data"] = at
    at += len(b"<data></data>") + n * row.size
    offsets["strls"] = at
    at += len(b"<strls></strls>") + strl_size
    offsets["value_labels"] = at
    at += len(value_labels)
    offsets["stata_data_close"] = at
    at += len(b"</stata_dta>")
    offsets["end-of-file"] = at
    order = ("stata_data", "map", "variable_types", "varnames", "sortlist", "formats", "value_label_names",
             "variable_labels", "characteristics", "data", "strls", "value_labels", "stata_data_close", "end-of-file")
    out.write(b"<stata_dta>" + header + _tag("map", struct.pack("<14Q", *(offsets[o] for o in order))) + b"".join(blocks))

    converters = []
    for i, v in enumerate(variables):
        if v.dta_type == DTA_STRL:
            # (v, o): the variable and the observation whose GSO in <strls> holds the text
            def convert(cells, first, key=i + 1):
                return [key | (o << 16) if text else 0 for o, text in enumerate(cells, start=first)]
        elif v.numeric:
            missing = DTA_MISSING[v.dta_type]
            values = _Memo(lambda text, v=v, missing=missing: missing if text == "" else v.number(text))

            def convert(cells, first, values=values):
                return list(map(values.__getitem__, cells))
        else:
            def convert(cells, first):
                return list(map(str.encode, cells))
        converters.append(convert)
    out.write(b"<data>")
    first = 1
    for rows, cells in batches(csv_path, variables):
        try:
            out.write(b"".join(starmap(row.pack, zip(*(c(t, first) for c, t in zip(converters, cells))))))
        except struct.error as error:
            raise ValueError(f"{table_.name}: a value does not fit its Stata type ({error})") from None
        first += len(rows)
    out.write(b"</data><strls>")
    if strls:
        first = 1
        for rows, cells in batches(csv_path, variables):
            gso = bytearray()
            for o, texts in enumerate(zip(*(cells[i] for i, _v in strls)), start=first):
                for (i, _v), text in zip(strls, texts):
                    if text:
                        data = text.encode("utf-8")
                        gso += b"GSO" + struct.pack("<IQBI", i + 1, o, 130, len(data) + 1) + data + b"\0"
            out.write(gso)
            first += len(rows)
    out.write(b"</strls>" + value_labels + b"</stata_dta>")


# --- into the zip -------------------------------------------------------------------------


def add(archive, table_, table_columns, csv_path):
    """Write <table>.sav and <table>.dta into the open zip *archive*, from the table's CSV at
    *csv_path* (header = column names; empty cell = missing). Returns how many values were
    cut to fit SPSS's widest string, per column (normally none)."""
    variables = [Variable(c) for c in table_columns]
    n = scan(csv_path, variables)
    units = _sav_layout(variables)
    with member(archive, f"{table_.name}.sav", 65536 + len(variables) * 8192 + n * units * 9) as out:
        write_sav(out, table_, variables, n, csv_path)
    row = sum(8 if v.numeric else max(1, v.width) for v in variables)
    strl = sum(v.strl_bytes + 21 * v.strl_count for v in variables if not v.numeric)
    with member(archive, f"{table_.name}.dta", 65536 + len(variables) * 2048 + n * row + strl) as out:
        write_dta(out, table_, variables, n, csv_path)
    return {v.name: v.cut for v in variables if v.cut}
