"""The NetFlow (softflowd -> nfcapd -> nfdump) and Argus (argus -> ra) pipelines of `moe_ids.exporters` on the real
captures of `shared/data/pcap`, the binary files of both tools, and bad input. Skipped, with the reason, where a tool
or the data is absent."""
import shutil
import subprocess
import time

import numpy as np
import pandas as pd
import pytest

from moe_ids.data import find_data_root
from moe_ids.exporters import (RA_FIELDS, _free_udp_port, _udp_queue, pcap_via_argus, pcap_via_softflowd,
                               read_argus, read_nfdump, read_ra_csv)
from moe_ids.sources import ToolMissing, detect_format, read_source

CAPTURES = ["benign-web-espn_chrissanders.pcapng", "c2-trickbot_ndpi.pcap", "dos-slowloris_kihy.pcap",
            "ftp-bruteforce_zeek.pcap", "heartbleed_zeek.pcap", "portscan_nmap-syn_evilfingers.pcap",
            "ssh-bruteforce_zeek-sshguess.pcap", "webattack-sqli_cicids2017_ndpi.pcap"]
NETFLOW, ARGUS = ("softflowd", "nfcapd", "nfdump"), ("argus", "ra")


def _pcaps():
    root = find_data_root()
    if root is None or not (root / "pcap").is_dir(): pytest.skip("no data root with pcap/ (shared/data/pcap)")
    return root / "pcap"


def _capture(name):
    path = _pcaps() / name
    if not path.exists(): pytest.skip(f"capture {name} is not in {path.parent}")
    return path


def _need(tools):
    gone = [t for t in tools if shutil.which(t) is None]
    if gone: pytest.skip(f"{', '.join(gone)} not installed (Debian: softflowd nfdump argus-server argus-client)")


def _labels():
    labels = pd.read_csv(_pcaps() / "LABELS.csv", dtype=str, keep_default_na=False)
    return labels.set_index("file")


def _victim_connections(df, row):
    "Distinct client ports of the flows to the labelled victim ip:port (the attack's connections)."
    victim = row["victim_ip"].split()[0]   # "82.118.225.196 (C2)"
    hit = (df["dst_ip"] == victim) & df["dst_port"].eq(int(row["victim_port"])).fillna(False).astype(bool)
    return df.loc[hit, "src_port"].nunique()


@pytest.mark.parametrize("name", CAPTURES)
def test_softflowd_pipeline_on_real_captures(name):
    _need(NETFLOW)
    df = pcap_via_softflowd(_capture(name))
    rep = df.attrs["read_report"]
    assert len(df) > 0 and rep["flows"] == len(df)
    assert rep["read"] == rep["flows"] + rep["merged"] + rep["skipped"], rep
    assert rep["skipped"] == 0, rep["skipped_first"]
    assert set(df["Protocol"]) <= {"6", "17", "1"}
    assert (df["Flow Duration"] >= 0).all() and (df["Total Length of Fwd Packets"] >= 0).all()
    assert (df["Total Fwd Packets"] >= 1).all()
    row = _labels().loc[name]
    if row["victim_port"].isdigit():
        assert _victim_connections(df, row) == int(row["attack_tcp_syns"])
    if name.startswith("portscan"):
        assert df.loc[df["dst_ip"] == row["victim_ip"], "dst_port"].nunique() >= 1000


@pytest.mark.parametrize("name", CAPTURES)
def test_argus_pipeline_on_real_captures(name):
    _need(ARGUS)
    df = pcap_via_argus(_capture(name))
    rep = df.attrs["read_report"]
    assert len(df) > 0 and rep["read"] == rep["flows"] + rep["skipped"], rep
    assert set(df["proto"]) <= {"tcp", "udp", "arp", "icmp"}
    assert (df["swin"] <= 255).all() and (df["dur"] <= 60).all()   # UNSW-NB15's ranges (-S 60, clipped windows)
    assert df[["ct_srv_src", "ct_dst_ltm", "is_sm_ips_ports"]].notna().all().all()
    assert df[["trans_depth", "response_body_len"]].isna().all().all()   # Bro's, not Argus's
    row = _labels().loc[name]
    if row["victim_port"].isdigit():
        assert _victim_connections(df, row) == int(row["attack_tcp_syns"])


def test_truncated_capture(tmp_path):
    _need(NETFLOW + ARGUS)
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(_capture("dos-slowloris_kihy.pcap").read_bytes()[:20000])
    for pipeline in (pcap_via_softflowd, pcap_via_argus):
        df = pipeline(cut)
        rep = df.attrs["read_report"]
        assert len(df) > 0, pipeline.__name__   # the whole packets before the cut are read
        assert any("truncated capture" in s["reason"] for s in rep["skipped_first"]), rep


def test_not_a_capture(tmp_path):
    junk = tmp_path / "notes.pcap"
    junk.write_text("this is not a packet capture\n")
    for pipeline in (pcap_via_softflowd, pcap_via_argus):
        with pytest.raises(ValueError, match="not a packet capture"): pipeline(junk)
    with pytest.raises(FileNotFoundError): pcap_via_argus(tmp_path / "absent.pcap")


NF_HEADER = ("ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,"
             "dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,"
             "exid,tr")
NF_TAIL = (",0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00," +
           ",".join(["0-0-0"] * 10) + ",    0.000,    0.000,    0.000,127.0.0.1,0/0,1,2026-12-03 08:47:43.278")
NF_LINES = [  # nfdump 1.7.1 -o csv of softflowd -v 10 on ftp-bruteforce_zeek.pcap (its first connection)
    "2014-01-14 17:37:24,2014-01-14 17:37:27,2.373,192.168.56.1,192.168.56.101,54017,21,TCP,...AP.SF,0,0,11,608,0,0,"
    "0,0,0,0,0,0,0,0" + NF_TAIL,
    "2014-01-14 17:37:24,2014-01-14 17:37:27,2.373,192.168.56.101,192.168.56.1,21,54017,TCP,...AP.SF,0,0,9,613,0,0,"
    "0,0,0,0,0,0,0,1" + NF_TAIL]


@pytest.mark.parametrize("footer", ["Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n2,1221,20,5369,11,60\n",
                                    "Summary\nflows,bytes,packets,avg_bps,avg_pps,avg_bpp\n2,1221,20,5369,11,60\n\n",
                                    "\n", ""])
def test_nfdump_csv_with_a_summary_footer(tmp_path, footer):
    f = tmp_path / "flows.csv"
    f.write_text("\n".join([NF_HEADER, *NF_LINES]) + "\n" + footer)
    assert detect_format(f) == "nfdump"
    df = read_source(f)
    rep = df.attrs["read_report"]
    assert (len(df), rep["read"], rep["merged"], rep["skipped"]) == (1, 2, 1, 0)
    assert df.iloc[0]["Total Fwd Packets"] == 11 and df.iloc[0]["Total Backward Packets"] == 9


def test_nfdump_csv_bad_lines(tmp_path):
    f = tmp_path / "flows.csv"
    f.write_text("\n".join([NF_HEADER, NF_LINES[0][:50], NF_LINES[1].replace(",9,613,", ",nine,613,")]) + "\n")
    rep = read_nfdump(f).attrs["read_report"]
    assert (rep["read"], rep["flows"], rep["skipped"]) == (2, 0, 2)
    assert [s["record"] for s in rep["skipped_first"]] == [2, 3]
    assert "ipkt is not a number: 'nine'" in rep["skipped_first"][1]["reason"]
    g = tmp_path / "other.csv"
    g.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ValueError, match="not an nfdump csv"): read_nfdump(g)


def test_nfcapd_binary_file(tmp_path):
    "An nfcapd file (made here by nfcapd on 127.0.0.1 from softflowd) is read through nfdump, and recognised."
    _need(NETFLOW)
    pcap, flows = _capture("ftp-bruteforce_zeek.pcap"), tmp_path / "flows"
    flows.mkdir()
    port = _free_udp_port()
    nfcapd = subprocess.Popen(["nfcapd", "-b", "127.0.0.1", "-p", str(port), "-w", str(flows)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(500):
            if _udp_queue(port) is not None: break
            time.sleep(0.01)
        subprocess.run(["softflowd", "-r", str(pcap), "-n", f"127.0.0.1:{port}", "-v", "10", "-a", "-A", "milli"],
                       check=True, capture_output=True)
        time.sleep(0.3)
    finally:
        nfcapd.terminate()
        nfcapd.wait(timeout=60)
    (file,) = list(flows.glob("nfcapd.*"))
    assert detect_format(file) == "nfdump"
    df = read_source(file)
    assert len(df) == 30 and df.attrs["read_report"]["merged"] == 30
    bad = tmp_path / "nfcapd.bad"
    bad.write_bytes(b"\x0c\xa5\x02\x00" + bytes(range(200)))
    with pytest.raises(ValueError, match="nfdump failed"): read_nfdump(bad)


def test_argus_binary_file_and_ra_fields_in_another_order(tmp_path):
    _need(ARGUS)
    flows = tmp_path / "f.argus"
    subprocess.run(["argus", "-X", "-J", "-S", "60", "-r", str(_capture("ssh-bruteforce_zeek-sshguess.pcap")),
                    "-w", str(flows)], check=True, capture_output=True)
    assert detect_format(flows) == "argus"
    direct = read_source(flows)
    assert len(direct) == 11
    ra = lambda fields: subprocess.run(["ra", "-X", "-r", str(flows), "-n", "-u", "-c", ",", "-s", *fields],
                                       check=True, capture_output=True, text=True).stdout
    forward, backward = ra(RA_FIELDS), ra(RA_FIELDS[::-1])
    assert forward.splitlines()[0].startswith("Proto,SrcAddr") and backward.splitlines()[0].startswith("Rate,AckDat")
    pd.testing.assert_frame_equal(read_ra_csv(backward, "reversed"), read_ra_csv(forward, "forward"))
    pd.testing.assert_frame_equal(read_ra_csv(forward, "forward"), direct)
    bad = tmp_path / "bad.argus"
    bad.write_bytes(b"\x83\x10\x00\x20" + bytes(range(200)))
    with pytest.raises(ValueError, match="ra failed"): read_argus(bad)


def test_missing_tool(monkeypatch):
    pcap = _capture("heartbleed_zeek.pcap")
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(ToolMissing, match="softflowd.*apt-get install nfdump softflowd"): pcap_via_softflowd(pcap)
    with pytest.raises(ToolMissing, match="apt-get install argus-client argus-server"): pcap_via_argus(pcap)


def test_missing_tool_on_path(monkeypatch, tmp_path):
    pcap = _capture("heartbleed_zeek.pcap")
    fake = tmp_path / "f.argus"
    fake.write_bytes(b"\x83\x10\x00\x20" + bytes(60))
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    with pytest.raises(ToolMissing, match="nfcapd"): pcap_via_softflowd(pcap)
    with pytest.raises(ToolMissing, match="needs ra, not found"): read_argus(fake)
