#!/usr/bin/env python3
"""Validates the iCalendar files of `bolus course --format ics` with the `icalendar` package.

Usage: python3 tests/ics_validate.py FILE...

An independent check of the calendar: each file must parse with `icalendar` (strictly: a
property the package cannot read is an error), be one VCALENDAR of version 2.0 with a PRODID,
have no METHOD unless it has an ORGANIZER in every event (an iTIP message, RFC 5546), and hold
VEVENTs that each have a UID that is a UUID (never made from patient data), a DTSTAMP in UTC,
DTSTART and DTEND in UTC or with a TZID that a VTIMEZONE of the file defines (never floating),
DTEND after DTSTART, a SUMMARY and a DESCRIPTION, and DISPLAY alarms with a relative TRIGGER
before the event's start (a reminder ahead of a deadline). The raw file must use CRLF line ends only, with no line over 75 octets, and
hold no dose (`mg`, `mcg`) and no patient identifier given with `--patient-absent ID`. UIDs are
unique within a file. Exits 0 when every file passes; otherwise prints each failure and exits 1
(2 when the package is missing or no file is given).

Install the package with: pip install icalendar==6.3.2
"""

import datetime
import re
import sys

PIN = "icalendar==6.3.2"


def load():
    try:
        import icalendar
    except ImportError as e:
        sys.exit(f"ics_validate: cannot import icalendar ({e}); run: pip install {PIN}")
    return icalendar


def raw_problems(data):
    problems = []
    if not data.endswith(b"\r\n"):
        problems.append("the file does not end with CRLF")
    body = data[:-2] if data.endswith(b"\r\n") else data
    for n, line in enumerate(body.split(b"\r\n"), 1):
        if b"\n" in line or b"\r" in line:
            problems.append(f"line {n}: a bare line break")
        if len(line) > 75:
            problems.append(f"line {n}: {len(line)} octets, more than 75")
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8")
    if re.search(r"\d\s*(mg|mcg|g)\b", unfolded):
        problems.append("a dose is written in the calendar")
    return problems, unfolded


def zoned_problems(where, key, value, zones):
    """A date-time in UTC or with a TZID the file defines; never floating."""
    if not isinstance(value.dt, datetime.datetime) or value.dt.tzinfo is None:
        return [f"{where}: {key} is not a date-time with a time zone (floating or a date)"]
    tzid = value.params.get("TZID")
    if tzid is None:
        if value.dt.utcoffset() != datetime.timedelta(0):
            return [f"{where}: {key} has an offset but no TZID"]
        return []
    if str(tzid) not in zones:
        return [f"{where}: {key} names TZID {tzid}, which no VTIMEZONE of the file defines"]
    return []


def check(icalendar, path, absent):
    with open(path, "rb") as f:
        data = f.read()
    problems, unfolded = raw_problems(data)
    for word in absent:
        if word in unfolded:
            problems.append(f"the patient identifier `{word}` is written in the calendar")
    try:
        cal = icalendar.Calendar.from_ical(data)
    except Exception as e:  # the package raises ValueError and others
        return problems + [f"does not parse: {e}"]
    if cal.name != "VCALENDAR":
        problems.append(f"the top component is {cal.name}")
    if str(cal.get("VERSION")) != "2.0":
        problems.append("VERSION is not 2.0")
    if not cal.get("PRODID"):
        problems.append("no PRODID")
    zones = {str(z.get("TZID")) for z in cal.walk("VTIMEZONE")}
    for z in cal.walk("VTIMEZONE"):
        if not list(z.walk("STANDARD")) + list(z.walk("DAYLIGHT")):
            problems.append(f"VTIMEZONE {z.get('TZID')}: no STANDARD or DAYLIGHT")
    uids = []
    events = list(cal.walk("VEVENT"))
    if cal.get("METHOD") is not None and not all(e.get("ORGANIZER") for e in events):
        problems.append("METHOD without an ORGANIZER in every event (RFC 5546)")
    if not events:
        problems.append("no VEVENT")
    for e in events:
        if getattr(e, "errors", None):
            problems.append(f"VEVENT errors: {e.errors}")
        uid = str(e.get("UID", ""))
        uids.append(uid)
        where = f"event {uid or '?'}"
        if not re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", uid):
            problems.append(f"{where}: UID is not a lowercase hyphenated UUID")
        stamp = e.get("DTSTAMP")
        if stamp is None or stamp.dt.tzinfo is None or stamp.dt.utcoffset() != datetime.timedelta(0):
            problems.append(f"{where}: DTSTAMP is not in UTC")
        start, end = e.get("DTSTART"), e.get("DTEND")
        if start is None or end is None:
            problems.append(f"{where}: no DTSTART or DTEND")
            continue
        zoned = [p for key, value in (("DTSTART", start), ("DTEND", end))
                 for p in zoned_problems(where, key, value, zones)]
        problems.extend(zoned)
        if not zoned and end.dt <= start.dt:
            problems.append(f"{where}: DTEND is not after DTSTART")
        for key in ("SUMMARY", "DESCRIPTION"):
            if not str(e.get(key, "")).strip():
                problems.append(f"{where}: no {key}")
        for a in e.walk("VALARM"):
            if str(a.get("ACTION")) != "DISPLAY":
                problems.append(f"{where}: an alarm that is not DISPLAY")
            trigger = a.get("TRIGGER")
            if trigger is None or not isinstance(trigger.dt, datetime.timedelta):
                problems.append(f"{where}: an alarm without a relative TRIGGER")
            elif trigger.dt >= datetime.timedelta(0):
                problems.append(f"{where}: an alarm that fires at or after the start")
            if not str(a.get("DESCRIPTION", "")).strip():
                problems.append(f"{where}: an alarm without a DESCRIPTION")
    if len(set(uids)) != len(uids):
        problems.append("two events share a UID")
    return problems


def main(argv):
    absent = []
    files = []
    args = iter(argv)
    for a in args:
        if a == "--patient-absent":
            absent.append(next(args, ""))
        else:
            files.append(a)
    if not files:
        sys.exit("usage: ics_validate.py [--patient-absent ID]... FILE...")
    icalendar = load()
    failed = 0
    for path in files:
        problems = check(icalendar, path, absent)
        if problems:
            failed += 1
            for p in problems:
                print(f"{path}: {p}")
        else:
            print(f"{path}: ok")
    print(f"icalendar {icalendar.__version__}: {len(files) - failed} of {len(files)} calendars valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
