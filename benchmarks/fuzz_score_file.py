"""Fuzz test of `moe_ids.scoring.score_file` (issue "Nothing lost, nothing crashes"): hypothesis generates malformed
CSV, CSV.gz, JSON-lines and Parquet files (extra and missing fields, truncated last lines, invalid UTF-8, stray
quotes, binary junk, broken and non-object JSON, lone surrogates, deep nesting, duplicated, aliased and unknown
columns, odd values, blank lines, byte-order marks, CRLF line ends, small row groups, cut Parquet files, empty files).
The property: every input record comes back as exactly one output row (scored or error, in the output or the `errors`
file) at its position, every well-formed record is scored, the counts add up, and no exception escapes; only a file
that cannot be read at all (empty, a cut Parquet footer) is one ValueError naming it. nbs/07d_scoring.ipynb runs it with
200 examples; this script runs 1,000 (or argv[1]) and writes benchmarks/results/fuzz_score_file.json."""

import gzip, io, json, sys, tempfile, time
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

FORMATS = ["csv", "csv", "csv.gz", "jsonl", "jsonl", "parquet"]
META = ["Flow ID", "Src IP", " Source Port", "Label", "Timestamp"]
JUNK = ["x", "id", "Unnamed: 0", "note", "ÉTAT"]
SAFE = st.text(st.characters(codec="utf-8", exclude_characters=',"\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029'),
               max_size=8).filter(lambda s: s.strip() == s)
BAD_UTF8 = [b"\xff", b"\xc3(", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xe2\x82", b"\x80"]
ODD = st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.just(10**400), SAFE,
                st.lists(st.integers(), max_size=2), st.dictionaries(SAFE, st.integers(), max_size=2))


def _rarely(n: int):
    "True about once in `n` draws (`st.integers` would draw its bounds far more often)."
    return st.sampled_from([False] * (n - 1) + [True])


def _number(draw) -> str:
    "A numeric CSV field."
    return repr(draw(st.floats(-1e6, 1e6, allow_nan=False)))


@st.composite
def csv_file(draw, numeric):
    "(bytes of a CSV file, positions that must be scored)."
    feats = st.sampled_from(numeric + [" Flow Duration", "flow_duration", "Flow Bytes/s"])
    cols = draw(st.lists(st.one_of(feats, st.sampled_from(META + JUNK)), max_size=7))
    cols.insert(draw(st.integers(0, len(cols))), draw(st.sampled_from(numeric)))
    is_feat = [c.strip() in numeric or c in (" Flow Duration", "flow_duration") for c in cols]
    eol = draw(st.sampled_from([b"\n", b"\r\n"]))
    lines = [(b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + ",".join(cols).encode()]
    good = set()
    for _ in range(draw(st.integers(0, 12))):
        values = [_number(draw) if f else draw(SAFE) for f in is_feat]
        kind = draw(st.sampled_from(["good"] * 6 + ["extra", "short", "utf8", "quote", "binary", "unusable", "text",
                                                    "blank"]))
        if kind == "extra": values += [draw(SAFE) for _ in range(draw(st.integers(1, 3)))]
        if kind == "short": values = values[:draw(st.integers(0, len(values) - 1))]
        if kind == "unusable": values = [draw(SAFE) + "?" if f else v for f, v in zip(is_feat, values)]
        line = ",".join(values).encode()
        if kind == "utf8":
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.sampled_from(BAD_UTF8)) + line[at:]
        if kind == "quote":
            at = draw(st.integers(0, len(line)))
            line = line[:at] + b'"' + line[at:]
        if kind == "binary": line = draw(st.binary(max_size=40)).replace(b"\n", b" ")
        if kind == "text": line = draw(st.text(max_size=30)).encode("utf-8", "surrogatepass").replace(b"\n", b" ")
        if kind == "blank": line = draw(st.sampled_from([b"", b"  ", b"\t"]))
        if kind == "good": good.add(len(lines) + 1)
        lines.append(line)
    if len(lines) > 1 and draw(_rarely(5)):       # a truncated last line, without its line end
        lines[-1] = lines[-1][:draw(st.integers(0, len(lines[-1])))]
        good.discard(len(lines))
        return eol.join(lines), good
    return eol.join(lines) + (eol if draw(st.booleans()) else b""), good


@st.composite
def jsonl_file(draw, numeric):
    "(bytes of a JSON-lines file, positions that must be scored)."
    lines, good = [], set()
    for _ in range(draw(st.integers(1, 12))):
        main = draw(st.sampled_from(numeric))
        obj = {main: draw(st.floats(-1e6, 1e6, allow_nan=False))}
        others = st.sampled_from([f for f in numeric if f != main])
        obj.update(draw(st.dictionaries(others, st.floats(allow_nan=False), max_size=3)))
        obj.update(draw(st.dictionaries(st.sampled_from(META + JUNK + [""]), ODD, max_size=3)))
        text = json.dumps(obj, ensure_ascii=draw(st.booleans()))
        kind = draw(st.sampled_from(["good"] * 6 + ["cut", "array", "scalar", "utf8", "surrogate", "deep", "unusable",
                                                    "aliases", "text", "blank"]))
        if kind == "cut": text = text[:draw(st.integers(1, len(text) - 1))]
        if kind == "array": text = json.dumps([obj])
        if kind == "scalar": text = draw(st.sampled_from(["3", '"flow"', "null", "true", "NaN", "[]"]))
        if kind == "surrogate": text = text[:-1] + ', "Flow ID": "\\ud800x"}'
        if kind == "deep": text = draw(st.sampled_from(["[", '{"a":'])) * draw(st.integers(1000, 100000))
        if kind == "unusable": text = json.dumps({"Flow ID": "a", draw(st.sampled_from(numeric)): "n/a?"})
        if kind == "aliases": text = text[:-1] + ', " Flow Duration": 1, "flow_duration": 3, "Flow Duration": 2}'
        if kind == "text": text = draw(st.text(max_size=30)).replace("\n", " ")
        if kind == "blank": text = draw(st.sampled_from(["", "  "]))
        line = text.encode("utf-8", "surrogatepass")
        if kind == "utf8":
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.sampled_from(BAD_UTF8)) + line[at:]
        if kind in ("good", "aliases"): good.add(len(lines) + 1)
        lines.append(line)
    data = b"\n".join(lines) + (b"\n" if draw(st.booleans()) else b"")
    return data, good


@st.composite
def parquet_file(draw, numeric):
    "(bytes of a Parquet file, positions that must be scored), or a cut file (None as positions)."
    n = draw(st.integers(0, 15))
    main = draw(st.sampled_from(numeric))
    cols = {main: [draw(st.floats(-1e6, 1e6, allow_nan=False)) for _ in range(n)]}
    for name in draw(st.lists(st.sampled_from(numeric + META + JUNK), max_size=4, unique=True)):
        if name == main: continue
        kind = draw(st.sampled_from(["float", "str", "int", "bool", "list", "null"]))
        value = dict(float=st.floats(), str=SAFE, int=st.integers(-2**63, 2**63 - 1), bool=st.booleans(),
                     list=st.lists(st.integers(0, 9), max_size=2), null=st.none())[kind]
        cols[name] = [draw(st.one_of(st.none(), value)) for _ in range(n)]
    buf = io.BytesIO()
    pd.DataFrame(cols).to_parquet(buf, index=False, row_group_size=draw(st.integers(1, 6)))
    data = buf.getvalue()
    if draw(_rarely(10)): return data[:draw(st.integers(0, len(data) - 1))], None
    return data, set(range(n))


@st.composite
def cases(draw, numeric):
    "A generated input file and the options to score it with."
    fmt = draw(st.sampled_from(FORMATS))
    gen = {"csv": csv_file, "csv.gz": csv_file, "jsonl": jsonl_file, "parquet": parquet_file}[fmt]
    data, good = draw(gen(numeric))
    if draw(_rarely(30)): data, good = b"", None          # an empty file
    return dict(fmt=fmt, data=gzip.compress(data) if fmt == "csv.gz" else data, raw=data, good=good,
                out=draw(st.sampled_from(["csv", "jsonl", "parquet"])), chunk_rows=draw(st.integers(1, 6)),
                keep=draw(st.sampled_from(["first", "last"])), errors=draw(st.booleans()))


def expected_positions(case) -> list:
    "The positions of the records of a generated file: non-blank lines after a CSV header, or Parquet records."
    if case["fmt"] == "parquet": return sorted(case["good"])
    lines = [(i, line) for i, line in enumerate(case["raw"].split(b"\n"), 1) if line.strip()]
    if lines and not lines[0][1].removeprefix(b"\xef\xbb\xbf").strip(): lines = lines[1:]   # a byte-order mark only
    return [i for i, _ in lines[1 if case["fmt"] != "jsonl" else 0:]]


def read_rows(path) -> pd.DataFrame:
    "The rows of an output file."
    if path.name.endswith(".parquet"): return pd.read_parquet(path)
    if path.name.endswith(".csv"): return pd.read_csv(path) if path.read_text() else pd.DataFrame()
    return pd.DataFrame([json.loads(line) for line in path.read_text().splitlines()])   # any JSON number


def check_case(inf, case, folder, score_file) -> dict:
    "Score one generated file and check the property; returns what happened."
    folder = Path(folder)
    src, out, err = folder/f"in.{case['fmt']}", folder/f"out.{case['out']}", folder/"errors.jsonl"
    for f in (out, err): f.unlink(missing_ok=True)
    src.write_bytes(case["data"])
    unreadable = case["good"] is None or (case["fmt"] == "jsonl" and not expected_positions(case))
    try:
        c = score_file(inf, src, out, progress=False, chunk_rows=case["chunk_rows"], duplicate_columns=case["keep"],
                       errors=err if case["errors"] else None)
    except ValueError as e:
        assert unreadable, f"{case['fmt']}: unexpected failure {e}"
        assert str(src) in str(e) and "\n" not in str(e), e
        assert not out.exists() and not list(folder.glob(".*.part")), "output left by a failed run"
        return dict(fmt=case["fmt"], file_error=1)
    assert not unreadable, "a file that cannot be read was scored"
    rows = read_rows(out)
    errs = read_rows(err) if case["errors"] else pd.DataFrame(columns=["error"])
    if case["errors"]: assert "error" not in rows or rows["error"].isna().all(), "error rows in the output"
    unit = "record" if case["fmt"] == "parquet" else "line"
    got = sorted([*(rows[unit] if len(rows) else []), *(errs[unit] if len(errs) else [])])
    want = expected_positions(case)
    assert got == want, f"positions {got} != records {want}"
    assert c["read"] == len(want) == c["scored"] + c["errors"], c
    assert c["errors"] == len(errs) + (int(rows["error"].notna().sum()) if len(rows) and "error" in rows else 0), c
    failed = set(errs[unit]) if len(errs) else set()
    if len(rows) and "error" in rows: failed |= set(rows.loc[rows["error"].notna(), unit])
    assert not (case["good"] & failed), f"good records reported as errors: {sorted(case['good'] & failed)}"
    return dict(fmt=case["fmt"], records=c["read"], scored=c["scored"], errors=c["errors"])


def run(inf, max_examples: int = 1000, folder=None, score_file=None) -> dict:
    "Check `max_examples` generated files; the totals (raises on the first counterexample)."
    if score_file is None: from moe_ids.scoring import score_file
    folder = Path(folder or tempfile.mkdtemp(prefix="fuzz_score_file_"))
    seen = []

    @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(cases(list(inf.spec.numeric)))
    def prop(case): seen.append(check_case(inf, case, folder, score_file))

    t0 = time.perf_counter()
    prop()
    totals = dict(examples=len(seen), seconds=round(time.perf_counter() - t0, 1))
    for k in ("records", "scored", "errors", "file_error"): totals[k] = sum(s.get(k, 0) for s in seen)
    totals["files"] = {f: sum(s["fmt"] == f for s in seen) for f in dict.fromkeys(FORMATS)}
    return totals


def main(max_examples: int = 1000) -> dict:
    "Run the property on the shared demo checkpoint and write benchmarks/results/fuzz_score_file.json."
    import torch
    from moe_ids.evaluation import machine_description
    from moe_ids.inference import MoEInference
    from moe_ids.training import demo_checkpoint
    torch.set_num_threads(1)
    folder = Path(tempfile.mkdtemp(prefix="fuzz_score_file_"))
    demo_checkpoint(path=folder/"ckpt")
    inf = MoEInference.from_checkpoint(folder/"ckpt", device="cpu")
    res = dict(property="every record -> exactly one output row (scored or error) at its position; good records "
                        "scored; counts add up; no exception but one ValueError naming an unreadable file",
               machine=machine_description(details=True),
               **run(inf, max_examples, folder), passed=True)
    out = Path(__file__).resolve().parent/"results"/"fuzz_score_file.json"
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1))
    return res


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
