"""End to end: `moe-ids score` / `watch` / the REST API on real packet captures and Zeek logs from ../shared/data,
with the pretrained models and no checkpoint argument. Skipped, with the reason, where the data or NFStream is absent."""
import importlib.util
import json
import struct
from pathlib import Path

import pandas as pd
import pytest

from moe_ids.cli import main
from moe_ids.data import find_data_root

ROOT = find_data_root()
PCAPS = ROOT / "pcap" if ROOT is not None and (ROOT / "pcap").is_dir() else None
ZEEK = ROOT / "zeek" if ROOT is not None and (ROOT / "zeek").is_dir() else None
HAVE_NFSTREAM = importlib.util.find_spec("nfstream") is not None

needs_pcaps = pytest.mark.skipif(PCAPS is None, reason="../shared/data/pcap is not here")
needs_zeek = pytest.mark.skipif(ZEEK is None, reason="../shared/data/zeek is not here")
needs_nfstream = pytest.mark.skipif(not HAVE_NFSTREAM, reason="NFStream is not installed (pip install 'moe-ids[pcap]')")


def _counts(err: str) -> dict:
    "The JSON counts line `score` prints last on stderr."
    return json.loads(err.strip().splitlines()[-1])


@needs_pcaps
@needs_nfstream
def test_score_capture_without_checkpoint(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main(["score", str(PCAPS / "ssh-bruteforce_zeek-sshguess.pcap"), "-o", str(out), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "pretrained cicids2017" in err
    c = _counts(err)
    df = pd.read_csv(out)
    assert c["source"]["format"] == "pcap" and c["source"]["read"] == 431      # PROVENANCE.md: 431 packets
    assert len(df) == c["scored"] == c["source"]["flows"] == 11                 # 11 connections
    assert {"src_ip", "src_port", "dst_ip", "dst_port", "timestamp", "p_attack"} <= set(df.columns)
    assert set(df.dst_port) == {22}


@needs_pcaps
@needs_nfstream
def test_cut_capture_is_scored_and_said(tmp_path, capsys):
    cut = tmp_path / "cut.pcap"
    cut.write_bytes((PCAPS / "dos-slowloris_kihy.pcap").read_bytes()[:20000])
    assert main(["score", str(cut), "-o", str(tmp_path / "s.csv"), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "truncated capture" in err and _counts(err)["source"]["skipped"] == 1


def _pcap(frames: list) -> bytes:
    "A classic pcap (Ethernet) holding `frames`."
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    return head + b"".join(struct.pack("<IIII", 1, i, len(f), len(f)) + f for i, f in enumerate(frames))


@needs_nfstream
def test_capture_without_ip_traffic(tmp_path, capsys):
    arp = bytes(6) + bytes.fromhex("0a0027000000") + b"\x08\x06" + bytes(28)
    (tmp_path / "arp.pcap").write_bytes(_pcap([arp, arp]))
    assert main(["score", str(tmp_path / "arp.pcap"), "--no-progress"]) == 2
    assert "no IP flow" in capsys.readouterr().err


def test_not_a_capture(tmp_path, capsys):
    (tmp_path / "x.pcap").write_text("not a capture at all")
    assert main(["score", str(tmp_path / "x.pcap"), "--no-progress"]) == 2
    assert "not a packet capture" in capsys.readouterr().err


@needs_pcaps
def test_missing_nfstream_is_a_clear_error(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nfstream" else real(name, *a))
    assert main(["score", str(PCAPS / "heartbleed_zeek.pcap"), "--no-progress"]) == 2
    assert "moe-ids[pcap]" in capsys.readouterr().err


@needs_zeek
def test_score_zeek_logs(tmp_path, capsys):
    rat = ZEEK / "malware-remcosrat_ctu-sme-11_slips.conn.log.labeled"
    out = tmp_path / "rat.csv"
    assert main(["score", str(rat), "-o", str(out), "--no-progress"]) == 0
    c = _counts(capsys.readouterr().err)
    df = pd.read_csv(out)
    assert c["source"]["format"] == "zeek" and c["source"]["closed"] is False   # the log has no #close line
    assert len(df) == 766 and set(df.attack) == {"Malicious", "Benign", "Unknown"}
    assert main(["score", str(rat), "--format", "zeek-unsw", "-o", str(out), "--no-progress"]) == 0
    assert "pretrained unsw-nb15" in capsys.readouterr().err
    assert main(["score", str(ZEEK / "portscan-nmap-vertical_slips.conn.ndjson"), "-o", str(out), "--no-progress"]) == 0
    assert len(pd.read_csv(out)) == 50


@needs_zeek
def test_zeek_with_unset_fields_and_bad_lines(tmp_path, capsys):
    lines = (ZEEK / "benign-ssh_zeek-btest.conn.log").read_text().splitlines()
    data = [i for i, l in enumerate(lines) if not l.startswith("#")]
    lines[data[0]] = "\t".join(["-"] * len(lines[data[0]].split("\t")))   # every field unset
    lines[data[1]] = "only\ttwo"
    (tmp_path / "conn.log").write_text("\n".join(l for l in lines if not l.startswith("#close")) + "\n")
    assert main(["score", str(tmp_path / "conn.log"), "-o", str(tmp_path / "s.csv"), "--no-progress"]) == 0
    c = _counts(capsys.readouterr().err)
    assert c["source"]["skipped"] == 1 and c["read"] == 24 and c["errors"] == 1   # the all-unset record: no feature


@needs_zeek
def test_calibrate_on_a_zeek_log(tmp_path, capsys):
    benign = ZEEK / "benign-web-wikipedia_zeek-btest.conn.log"
    assert main(["calibrate", "--benign", str(benign), "--max-fpr", "0.05", "--out", str(tmp_path / "ck")]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["benign_flows"] == 34 and rep["read"]["benign"]["source"]["format"] == "zeek"


@needs_pcaps
@needs_nfstream
def test_watch_replays_a_capture(tmp_path, capsys):
    out = tmp_path / "alerts.jsonl"
    assert main(["watch", "--replay", str(PCAPS / "ftp-bruteforce_zeek.pcap"), "-o", str(out)]) == 0
    rows = [json.loads(l) for l in out.read_text().splitlines()]
    assert len(rows) == 30 and all(r["dst_port"] == 21 and r["prediction"] in ("Attack", "Normal") for r in rows)
    assert all(not r["unknown_features"] for r in rows)


@needs_pcaps
@needs_nfstream
def test_rest_accepts_nfstream_and_cicflowmeter_records():
    from fastapi.testclient import TestClient
    from nfstream import NFStreamer
    from moe_ids.inference import MoEInference
    from moe_ids.serve import create_app
    from moe_ids.sources import NFSTREAM_OPTIONS
    nf = NFStreamer(source=str(PCAPS / "dos-slowloris_kihy.pcap"), **NFSTREAM_OPTIONS).to_pandas().head(3)
    client = TestClient(create_app(MoEInference.pretrained("cicids2017")))
    r = client.post("/predict", json=json.loads(nf.to_json(orient="records")))
    assert r.status_code == 200, r.text
    body = r.json()
    rows = body if isinstance(body, list) else body.get("results", body)
    assert len(rows) == 3 and all(x["error"] is None and not x["unknown_features"] for x in rows)
    snake = {"flow_duration": 1e6, "tot_fwd_pkts": 3, "tot_bwd_pkts": 2, "totlen_fwd_pkts": 100, "flow_byts_s": 100.0,
             "fwd_pkt_len_max": 60, "syn_flag_cnt": 1, "init_fwd_win_byts": 8192, "fwd_seg_size_min": 20,
             "protocol": 6}   # the `cicflowmeter` package's names
    r = client.post("/predict", json=[snake])
    assert r.status_code == 200, r.text
    row = (r.json() if isinstance(r.json(), list) else r.json().get("results", r.json()))[0]
    assert row["error"] is None and row["unknown_features"] == []


def test_readers_never_crash_on_junk(tmp_path):
    """Any bytes given to the Zeek, NFStream-records, nfdump and Argus readers: a frame whose counts add up (every
    record a flow or a counted skip) or one ValueError naming the file; never another exception."""
    from hypothesis import HealthCheck, given, settings, strategies as st
    from moe_ids.sources import FORMATS, read_source
    import moe_ids.exporters  # noqa: F401  (registers nfdump and argus)
    heads = {"zeek": "#separator \\x09\n#unset_field\t-\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tduration\torig_pkts\n",
             "nfstream": "src_ip,src_port,bidirectional_duration_ms,src2dst_packets,dst2src_packets\n",
             "nfdump": "ts,te,td,sa,da,sp,dp,pr,flg,ipkt,ibyt,opkt,obyt\n",
             "argus": "StartTime,Dur,Proto,SrcAddr,Sport,DstAddr,Dport,State,SrcPkts,DstPkts,SrcBytes,DstBytes\n"}
    cell = st.one_of(st.text(max_size=6), st.integers(-10**20, 10**20).map(str), st.floats().map(str), st.just("-"))
    line = st.tuples(st.lists(cell, max_size=14), st.sampled_from(["\t", ","])).map(lambda t: t[1].join(t[0]))
    junk = st.one_of(st.binary(max_size=200), st.lists(line, max_size=6).map(lambda ls: "\n".join(ls).encode()))
    n = {"i": 0}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(fmt=st.sampled_from(sorted(heads)), body=junk, sep=st.sampled_from(["\t", ","]))
    def prop(fmt, body, sep):
        n["i"] += 1
        f = tmp_path / f"junk{n['i']}.txt"
        f.write_bytes(heads[fmt].replace("\t", sep).encode() + body)
        try: df = read_source(f, fmt)
        except ValueError as e:
            assert str(f) in str(e) or f.name in str(e), e
            return
        r = df.attrs["read_report"]
        assert r["flows"] == len(df) and 0 <= r["skipped"] <= r["read"] and r["flows"] <= r["read"], r

    prop()
