#!/usr/bin/env python3
"""Validates FHIR MedicationRequest and Bundle JSON files with the `fhir.resources` package (R4B models).

Usage: python3 tests/fhir_validate.py FILE...

The second, independent check of `bolus plan --format fhir` (the first is the official R4 JSON
schema, in `cargo test`); run by the `#[ignore]`d tests of `tests/fhir.rs`, which `.ci/run` runs
with `cargo test --test fhir -- --ignored`. The package's pydantic models know the FHIR
element names, cardinalities and primitive types, and refuse unknown elements. R4B (4.3) has the
same MedicationRequest, Dosage, Timing and Quantity as R4 (4.0.1), and the package ships no R4
models. Exits 0 when every file validates; otherwise prints each failure and exits 1 (2 when the
package is missing or no file is given).

Install the package with: pip install fhir.resources==8.3.0
"""

import json
import re
import sys

PIN = "fhir.resources==8.3.0"
UCUM = "http://unitsofmeasure.org"


def load_model():
    """The models by resourceType: a MedicationRequest, or a Bundle of one and its weight."""
    try:
        from fhir.resources.R4B.bundle import Bundle
        from fhir.resources.R4B.medicationrequest import MedicationRequest
    except ImportError as e:
        sys.exit(f"fhir_validate: cannot import fhir.resources.R4B ({e}); run: pip install {PIN}")
    return {"MedicationRequest": MedicationRequest, "Bundle": Bundle}


def parse(model, text):
    """Validates with whichever API the installed version has (pydantic 2, then 1)."""
    if hasattr(model, "model_validate_json"):
        return model.model_validate_json(text)
    return model.parse_raw(text)


# Required bindings (the models check types and patterns, not value sets).
STATUS = {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft",
          "unknown"}
INTENT = {"proposal", "plan", "order", "original-order", "reflex-order", "filler-order",
          "instance-order", "option"}


def walk(node, path="$"):
    """Every object and array in the document, with its path."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def extra_checks(doc):
    """What the models do not check: the required bindings of status and intent, the
    invariants ele-1, ext-1, qty-3, sqty-1, tim-9 and tim-10, UCUM on every coded quantity,
    and the dosage sequence 1..n."""
    problems = []
    if doc.get("resourceType") == "Bundle":
        requests = [e.get("resource", {}) for e in doc.get("entry", [])
                    if e.get("resource", {}).get("resourceType") == "MedicationRequest"]
        if len(requests) != 1:
            return [f"a Bundle with {len(requests)} MedicationRequests, not 1"]
        return extra_checks(requests[0])
    if doc.get("resourceType") != "MedicationRequest":
        problems.append(f"resourceType is {doc.get('resourceType')!r}, not 'MedicationRequest'")
    if doc.get("status") not in STATUS:
        problems.append(f"status {doc.get('status')!r} is not a MedicationRequest status")
    if doc.get("intent") not in INTENT:
        problems.append(f"intent {doc.get('intent')!r} is not a MedicationRequest intent")
    for path, node in walk(doc):
        if node in ({}, [], ""):
            problems.append(f"{path}: empty (ele-1)")
        if not isinstance(node, dict):
            continue
        if re.search(r"\.extension\[\d+\]$", path):
            values = [k for k in node if k.startswith("value")]
            if len(values) + ("extension" in node) != 1:
                problems.append(f"{path}: an extension needs one value[x] or extensions (ext-1)")
        if "value" in node and "code" in node and node.get("system") != UCUM:
            problems.append(f"{path}: quantity with a code but system {node.get('system')!r}")
    dosages = doc.get("dosageInstruction", [])
    seqs = [d.get("sequence") for d in dosages]
    if seqs != list(range(1, len(dosages) + 1)):
        problems.append(f"dosageInstruction sequences are {seqs}, not 1..{len(dosages)}")
    for i, d in enumerate(dosages):
        at = f"dosageInstruction[{i}]"
        repeat = d.get("timing", {}).get("repeat", {})
        if "offset" in repeat and "when" not in repeat:
            problems.append(f"{at}.timing.repeat: an offset without a when (tim-9)")
        if "timeOfDay" in repeat and "when" in repeat:
            problems.append(f"{at}.timing.repeat: both timeOfDay and when (tim-10)")
        simple = [("maxDosePerAdministration", d.get("maxDosePerAdministration", {}))]
        simple += [(f"doseAndRate[{j}].doseQuantity", r.get("doseQuantity", {}))
                   for j, r in enumerate(d.get("doseAndRate", []))]
        for name, q in simple:
            if "comparator" in q:
                problems.append(f"{at}.{name}: a SimpleQuantity has no comparator (sqty-1)")
    return problems


def main(argv):
    if not argv:
        print("usage: fhir_validate.py FILE...", file=sys.stderr)
        return 2
    model = load_model()
    failed = 0
    for name in argv:
        try:
            with open(name, encoding="utf-8") as f:
                text = f.read()
            doc = json.loads(text)
            kind = doc.get("resourceType") if isinstance(doc, dict) else None
            if kind not in model:
                raise ValueError(f"resourceType {kind!r} is neither MedicationRequest nor Bundle")
            parse(model[kind], text)
            problems = extra_checks(doc)
        except Exception as e:  # the models raise pydantic's ValidationError, or ValueError
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            failed += 1
            print(f"{name}: invalid", file=sys.stderr)
            for p in problems:
                print(f"  {p}", file=sys.stderr)
    print(f"fhir_validate: {len(argv) - failed} valid, {failed} invalid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
