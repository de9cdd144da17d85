"""Reading supplier files row by row — CSV, JSON arrays and Excel sheets — without ever holding
the whole file in memory. Every value comes out as text (or None for an empty cell)."""

import csv
import datetime
import io
import json
from itertools import chain

from openpyxl import load_workbook

from imports.models import FileFormat

EXTENSIONS = {".csv": FileFormat.CSV, ".txt": FileFormat.CSV, ".json": FileFormat.JSON, ".xlsx": FileFormat.XLSX}
SNIFF_BYTES = 64 * 1024
JSON_CHUNK = 256 * 1024


class UnreadableFile(Exception):
    """The file is not what its format says; the message says where and why."""


def format_of(file_name, declared=None):
    if declared:
        return FileFormat(declared)
    for extension, file_format in EXTENSIONS.items():
        if file_name.lower().endswith(extension):
            return file_format
    raise UnreadableFile("The file's format is not known: name it .csv, .json or .xlsx, or give file_format.")


def open_table(handle, file_format):
    """``(columns, rows)``: the column names, and an iterator of ``(row number, {column: text})``.

    ``handle`` is a binary file; row numbers are what a person sees (the header is row 1 of a CSV
    or a sheet; JSON items count from 1)."""
    reader = {FileFormat.CSV: _csv, FileFormat.JSON: _json, FileFormat.XLSX: _xlsx}[FileFormat(file_format)]
    return reader(handle)


def _text(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # spreadsheets store codes such as EANs as numbers
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value).strip() or None


def _csv(handle):
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    sample = text.read(SNIFF_BYTES)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(_rejoin(sample, text), dialect)
    try:
        columns = [name.strip() for name in next(reader)]
    except StopIteration:
        raise UnreadableFile("The CSV file is empty.") from None
    except UnicodeDecodeError:
        raise UnreadableFile("The CSV file is not UTF-8 text.") from None

    def rows():
        try:
            for number, values in enumerate(reader, start=2):
                if any(values):
                    yield number, {column: _text(value) for column, value in zip(columns, values)}
        except UnicodeDecodeError:
            raise UnreadableFile("The CSV file is not UTF-8 text.") from None

    return columns, rows()


def _rejoin(sample, text):
    """Lines of ``sample`` followed by the rest of ``text`` (the sample was read to sniff the dialect)."""
    return chain(io.StringIO(sample + text.readline()), text)


def _json(handle):
    items = _json_array_items(io.TextIOWrapper(handle, encoding="utf-8-sig"))
    try:
        first = next(items)
    except StopIteration:
        return [], iter(())
    if not isinstance(first, dict):
        raise UnreadableFile("A JSON import is an array of objects.")
    columns = list(first)

    def rows():
        for number, item in enumerate(chain([first], items), start=1):
            if not isinstance(item, dict):
                raise UnreadableFile(f"Item {number} of the JSON array is not an object.")
            yield number, {key: _text(value) for key, value in item.items()}

    return columns, rows()


def _json_array_items(text):
    """The items of a top-level JSON array, decoded one at a time from a buffer of at most a chunk
    plus one item."""
    decoder = json.JSONDecoder()
    buffer, position, exhausted = text.read(JSON_CHUNK), 0, False

    def skip(chars):
        nonlocal position
        while position < len(buffer) and buffer[position] in chars:
            position += 1

    skip(" \t\r\n")
    if buffer[position:position + 1] != "[":
        raise UnreadableFile("A JSON import is an array of objects: the file must start with '['.")
    position += 1
    while True:
        skip(" \t\r\n,")
        if position >= len(buffer) and not exhausted:
            more = text.read(JSON_CHUNK)
            exhausted = not more
            buffer, position = buffer[position:] + more, 0
            continue
        if buffer[position:position + 1] == "]":
            return
        try:
            item, end = decoder.raw_decode(buffer, position)
        except json.JSONDecodeError as exc:
            more = "" if exhausted else text.read(JSON_CHUNK)
            if not more:
                raise UnreadableFile(f"The JSON file is not valid: {exc.msg} (character {exc.pos}).") from None
            buffer, position = buffer[position:] + more, 0
            continue
        yield item
        position = end
        if position > JSON_CHUNK:
            buffer, position = buffer[position:], 0


def _xlsx(handle):
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise UnreadableFile(f"The Excel file cannot be read: {exc}") from None
    sheet = workbook.active
    lines = sheet.iter_rows(values_only=True)
    try:
        columns = [_text(value) or f"column {index + 1}" for index, value in enumerate(next(lines))]
    except StopIteration:
        raise UnreadableFile("The Excel sheet is empty.") from None

    def rows():
        for number, values in enumerate(lines, start=2):
            if any(value not in (None, "") for value in values):
                yield number, {column: _text(value) for column, value in zip(columns, values)}
        workbook.close()

    return columns, rows()
