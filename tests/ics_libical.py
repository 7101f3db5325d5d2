#!/usr/bin/python3
"""Validates the iCalendar files of `bolus course --format ics` with libical (through its
GObject binding, ICalGLib), the parser of Evolution and other clients.

Usage: /usr/bin/python3 tests/ics_libical.py FILE...

Each file must parse as one VCALENDAR, pass libical's restriction check (the RFC 5545 and RFC 5546
rules for the file's METHOD, or for a file without one), and hold no X-LIC-ERROR property (how
libical marks what it could not read). Every event's DTSTART and DTEND name a zone that libical
finds in the file's VTIMEZONE, DTEND is after DTSTART, and every alarm's TRIGGER is before the
start. Exits 0 when every file passes; otherwise prints each failure and exits 1 (2 when the
binding is missing or no file is given).

Install the binding with: apt-get install gir1.2-ical-3.0 python3-gi
"""

import sys


def load():
    try:
        import gi

        gi.require_version("ICalGLib", "3.0")
        from gi.repository import ICalGLib
    except (ImportError, ValueError) as e:
        sys.exit(f"ics_libical: cannot load libical's ICalGLib ({e}); run: apt-get install gir1.2-ical-3.0 python3-gi")
    return ICalGLib


def children(comp, kind):
    c = comp.get_first_component(kind)
    while c is not None:
        yield c
        c = comp.get_next_component(kind)


def properties(comp, kind):
    p = comp.get_first_property(kind)
    while p is not None:
        yield p
        p = comp.get_next_property(kind)


def lic_errors(I, comp, out):
    for p in properties(comp, I.PropertyKind.XLICERROR_PROPERTY):
        out.append(f"{I.Component.kind_to_string(comp.isa())}: {p.get_xlicerror()}")
    for c in children(comp, I.ComponentKind.ANY_COMPONENT):
        lic_errors(I, c, out)


def event_problems(I, event):
    problems = []
    where = f"event {event.get_uid()}"
    start, end = event.get_dtstart(), event.get_dtend()
    for key, t in (("DTSTART", start), ("DTEND", end)):
        if t is None or t.is_null_time() or t.is_date():
            problems.append(f"{where}: no {key} date-time")
        elif t.get_timezone() is None and not t.is_utc():
            problems.append(f"{where}: {key} is floating or names a zone the file does not define")
    if problems:
        return problems
    if I.Time.compare(end, start) <= 0:
        problems.append(f"{where}: DTEND is not after DTSTART")
    for alarm in children(event, I.ComponentKind.VALARM_COMPONENT):
        trigger = alarm.get_first_property(I.PropertyKind.TRIGGER_PROPERTY)
        if trigger is None:
            problems.append(f"{where}: an alarm without a TRIGGER")
            continue
        duration = trigger.get_trigger().get_duration()
        if duration.as_int() >= 0:
            problems.append(f"{where}: an alarm that fires at or after the start")
    return problems


def check(I, path):
    with open(path, encoding="utf-8") as f:
        data = f.read()
    cal = I.Component.new_from_string(data)
    if cal is None or cal.isa() != I.ComponentKind.VCALENDAR_COMPONENT:
        return ["does not parse as one VCALENDAR"]
    problems = []
    if not I.restriction_check(cal):
        problems.append("libical's restriction check (RFC 5545 / RFC 5546) fails")
    lic_errors(I, cal, problems)
    events = list(children(cal, I.ComponentKind.VEVENT_COMPONENT))
    if not events:
        problems.append("no VEVENT")
    for e in events:
        problems.extend(event_problems(I, e))
    return problems


def main(argv):
    if not argv:
        sys.exit("usage: ics_libical.py FILE...")
    I = load()
    failed = 0
    for path in argv:
        problems = check(I, path)
        if problems:
            failed += 1
            for p in problems:
                print(f"{path}: {p}")
        else:
            print(f"{path}: ok")
    print(f"libical: {len(argv) - failed} of {len(argv)} calendars valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
