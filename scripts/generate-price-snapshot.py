#!/usr/bin/env python3
"""Generate Tally's shipped price snapshot from LiteLLM's model price table.

Usage:
    python3 scripts/generate-price-snapshot.py LITELLM_JSON [--version V] [--date YYYY-MM-DD] [--out FILE]

Reads LiteLLM's `model_prices_and_context_window.json` and writes
`Sources/TallyKit/Pricing/PriceSnapshot+Data.swift`: one tab-separated line per model with token
prices, per million tokens, as exact decimal text. Only chat, completion and responses models with
both an input and an output token price are kept (SPEC §6); `sample_spec` is LiteLLM's field
documentation, not a model. Prices are read as decimals (never floats), so `1.25e-06` per token
becomes exactly `1.25` per million. Python 3 standard library only.

The Swift side (`PriceRecord.snapshotEntries`) reads the columns in the order of `COLUMNS`; change
both together.
"""

import argparse
import datetime
import decimal
import json
import os
import re
import sys

MODES = {"chat", "completion", "responses"}

# Output columns: model, provider, then prices per million tokens, then token limits.
COLUMNS = [
    "model", "provider",
    "input", "output", "reasoning", "cache_read", "cache_write", "cache_write_1h",
    "tier_threshold_tokens", "input_above", "output_above", "cache_read_above", "cache_write_above",
    "max_input_tokens", "max_output_tokens",
]

# LiteLLM per-token fields for each price column (base tier).
BASE_FIELDS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "reasoning": "output_cost_per_reasoning_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
}

# Above-tier fields are `<base field>_above_<N>k_tokens`; the schema holds one tier per price.
TIER_FIELDS = {
    "input_above": "input_cost_per_token",
    "output_above": "output_cost_per_token",
    "cache_read_above": "cache_read_input_token_cost",
    "cache_write_above": "cache_creation_input_token_cost",
}
TIER_PATTERN = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|"
    r"cache_creation_input_token_cost)_above_(\d+)k_tokens$")

MILLION = decimal.Decimal(1_000_000)
# Tally prices in integer nano-dollars per million tokens below $1,000 per million (CostEngine).
LIMIT = decimal.Decimal(1000)


def per_million(value):
    """Exact decimal text of a per-token price times one million, or None when not a price."""
    if isinstance(value, bool) or not isinstance(value, (int, decimal.Decimal)):
        return None
    amount = decimal.Decimal(value) * MILLION
    if amount < 0 or amount >= LIMIT:
        return None
    text = format(amount.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def positive_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        value = int(value)
    return str(value) if isinstance(value, int) and value > 0 else None


def entry(model, spec):
    """One snapshot row for a LiteLLM entry, or None when it has no token prices."""
    if not isinstance(spec, dict) or spec.get("mode") not in MODES:
        return None
    row = {"model": model, "provider": spec.get("litellm_provider") or ""}
    for column, field in BASE_FIELDS.items():
        row[column] = per_million(spec.get(field)) if field in spec else None
    if row["input"] is None or row["output"] is None:
        return None
    thresholds = sorted({int(m.group(2)) for m in map(TIER_PATTERN.match, spec) if m})
    if thresholds:
        k = thresholds[0]
        row["tier_threshold_tokens"] = str(k * 1000)
        for column, base in TIER_FIELDS.items():
            row[column] = per_million(spec.get(f"{base}_above_{k}k_tokens"))
        if all(row[c] is None for c in TIER_FIELDS):
            row["tier_threshold_tokens"] = None
    row["max_input_tokens"] = positive_int(spec.get("max_input_tokens"))
    row["max_output_tokens"] = positive_int(spec.get("max_output_tokens"))
    return row


def check_text(value):
    if any(c in value for c in "\t\n\r") or '"""#' in value:
        raise SystemExit(f"generate-price-snapshot: unusable character in {value!r}")
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("litellm_json")
    parser.add_argument("--version", help="LiteLLM version (default: from the file name)")
    parser.add_argument("--date", help="snapshot date, YYYY-MM-DD (default: the file's modification date, UTC)")
    parser.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "TallyKit", "Pricing",
        "PriceSnapshot+Data.swift"))
    args = parser.parse_args()

    with open(args.litellm_json, encoding="utf-8") as f:
        table = json.load(f, parse_float=decimal.Decimal)
    version = args.version
    if version is None:
        m = re.search(r"(\d+\.\d+\.\d+)", os.path.basename(args.litellm_json))
        version = m.group(1) if m else "unknown"
    date = args.date or datetime.datetime.fromtimestamp(
        os.path.getmtime(args.litellm_json), datetime.timezone.utc).strftime("%Y-%m-%d")
    datetime.date.fromisoformat(date)

    rows = [r for r in (entry(k, v) for k, v in sorted(table.items()) if k != "sample_spec") if r]
    lines = ["\t".join(check_text(r.get(c) or "") for c in COLUMNS) for r in rows]

    source = f"LiteLLM {version} model_prices_and_context_window.json"
    with open(args.out, "w", encoding="utf-8") as out:
        out.write(f"""// Generated by scripts/generate-price-snapshot.py from {os.path.basename(args.litellm_json)}.
// Do not edit: regenerate it (see the script's usage).

extension PriceSnapshot {{
    /// Where the snapshot's prices come from.
    public static let source = "{source}"
    /// The day the snapshot was taken (UTC).
    public static let date = "{date}"
    /// How many models the snapshot prices.
    public static let count = {len(rows)}
    /// Tab-separated: {", ".join(COLUMNS)}.
    /// Prices are USD per million tokens as exact decimal text; an empty field is NULL.
    static let table = #\"\"\"
""")
        for line in lines:
            out.write(line + "\n")
        out.write('"""#\n}\n')
    print(f"{len(rows)} models from {source} ({date}) written to {os.path.normpath(args.out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
