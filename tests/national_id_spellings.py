"""Every spelling of a national ID number that a caseworker (or someone trying to get one past
the journal) types: the one table shared by the input check (tests/test_national_id.py, the
case-reference and note tests) and the export's scrubber (tests/test_scrub.py, and through it
the byte search of the export's zip in tests/test_export.py). Issue 13: at least 40.

One Danish CPR number (1 January 1990, serial 1234) and one Swedish personnummer (1 January
1990, serial 4362), each in every separator, date layout and Unicode disguise.
"""
FW = str.maketrans("0123456789-", "０１２３４５６７８９－")

SPELLINGS = {
    # separators between date and serial
    "plain": "0101901234",
    "hyphen": "010190-1234",
    "space": "010190 1234",
    "two-spaces": "010190  1234",
    "spaced-hyphen": "010190 - 1234",
    "double-hyphen": "010190--1234",
    "slash": "010190/1234",
    "underscore": "010190_1234",
    "dot": "010190.1234",
    "plus": "010190+1234",
    # every dash an editor or keyboard makes
    "hyphen-u2010": "010190\u20101234",
    "non-breaking-hyphen": "010190\u20111234",
    "figure-dash": "010190\u20121234",
    "en-dash": "010190\u20131234",
    "em-dash": "010190\u20141234",
    "minus-sign": "010190\u22121234",
    "full-width-hyphen": "010190\uff0d1234",
    "small-hyphen": "010190\ufe631234",
    "fraction-slash": "010190\u20441234",
    "full-width-slash": "010190\uff0f1234",
    # other spaces
    "no-break-space": "010190\u00a01234",
    "thin-space": "010190\u20091234",
    "ideographic-space": "010190\u30001234",
    # invisible characters inside the number
    "zero-width-space": "0101\u200b90-1234",
    "zero-width-joiner": "010190\u200d-1234",
    "soft-hyphen": "010190\u00ad-1234",
    "byte-order-mark": "\ufeff010190-1234",
    "word-joiner": "01\u206001\u206090\u20601234",
    "right-to-left-override": "\u202e010190-1234\u202c",
    "left-to-right-mark": "010190\u200e-1234",
    # full-width and other digit forms
    "full-width-digits": "010190-1234".translate(FW),
    "mathematical-digits": "\U0001d7ce\U0001d7cf\U0001d7ce\U0001d7cf\U0001d7d7\U0001d7ce-1234",
    # the date written as a date
    "dotted-date": "01.01.90-1234",
    "dashed-date": "01-01-90-1234",
    "slashed-date": "01/01/90-1234",
    "spaced-date": "01 01 90 1234",
    "spaced-date-hyphen": "01 01 90-1234",
    "dotted-date-spaced-dash": "01.01.90 - 1234",
    "full-year-dotted": "01.01.1990-1234",
    "full-year-dashed": "01-01-1990-1234",
    "full-year-compact": "01011990-1234",
    # Swedish personnummer and samordningsnummer
    "se-short": "900101-4362",
    "se-short-plus": "900101+4362",
    "se-long": "19900101-4362",
    "se-long-plain": "199001014362",
    "se-long-space": "19900101 4362",
    "se-long-en-dash": "19900101\u20134362",
    "se-iso-date": "1990-01-01-4362",
    "se-dotted-date": "1990.01.01-4362",
    "se-spaced-date": "1990 01 01 4362",
    "se-samordning": "900161-4362",
    "se-samordning-long": "19900161-4362",
    # inside text
    "in-a-sentence": "Borgerens cpr er 010190-1234, ring i morgen",
    "after-a-label": "CPR:0101901234.",
    "in-brackets": "(19900101-4362)",
}
