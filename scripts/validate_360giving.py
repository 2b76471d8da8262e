#!/usr/bin/env python3
"""Validate a 360Giving CSV against the 360Giving JSON schema.

The CSV is turned into a 360Giving JSON package with flatten-tool (the
standard's own converter), then every grant is checked with jsonschema
against the grant schema. Exits 1 and prints each problem when invalid.

usage: validate_360giving.py FILE.csv SCHEMA_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    csv_path, schema_dir = sys.argv[1], sys.argv[2]
    grant_schema = os.path.join(schema_dir, "360-giving-schema.json")
    package_schema = os.path.join(schema_dir, "360-giving-package-schema.json")
    with tempfile.TemporaryDirectory() as tmp:
        # flatten-tool reads a folder of CSVs named after the sheet.
        sheet_dir = os.path.join(tmp, "sheets")
        os.mkdir(sheet_dir)
        with open(csv_path, encoding="utf-8-sig") as src, open(os.path.join(sheet_dir, "grants.csv"), "w", encoding="utf-8") as dst:
            dst.write(src.read())
        out = os.path.join(tmp, "grants.json")
        subprocess.run(
            ["flatten-tool", "unflatten", "--input-format", "csv", "--root-id", "", "--root-list-path", "grants",
             "--schema", grant_schema, "--convert-titles", "--output-name", out, sheet_dir],
            check=True, capture_output=True)
        with open(out, encoding="utf-8") as f:
            package = json.load(f)
    with open(grant_schema, encoding="utf-8") as f:
        schema = json.load(f)
    grants = package.get("grants", [])
    problems = []
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    for i, grant in enumerate(grants):
        for error in validator.iter_errors(grant):
            where = "/".join(str(p) for p in error.path)
            problems.append(f"{csv_path}: grant {i + 1} ({grant.get('id', '?')}): {where}: {error.message}")
    # The package wrapper too, where its schema can be read offline.
    try:
        with open(package_schema, encoding="utf-8") as f:
            pschema = json.load(f)
        pschema.get("properties", {}).get("grants", {}).pop("items", None)
        for error in jsonschema.Draft4Validator(pschema).iter_errors(package):
            problems.append(f"{csv_path}: package: {error.message}")
    except (OSError, ValueError):
        pass
    if not grants:
        problems.append(f"{csv_path}: no grants found")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{csv_path}: {len(grants)} grants, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
