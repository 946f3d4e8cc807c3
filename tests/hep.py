#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""HEPv3 for the tests, written from the protocol's description (chunks
of vendor 0: type, length, value), not from our encoder.

  hep.py listen PORT OUT   one JSON line per packet received on
                           127.0.0.1:PORT appended to OUT; OUT.up is made
                           once the socket is bound
  hep.py listen-tcp PORT OUT
                           the same over TCP: packets back to back on the
                           stream, each as long as its header says
  hep.py send PORT CALLID [KEY]
                           one HEPv3 packet of a REGISTER with that Call-ID
                           (and auth key) to 127.0.0.1:PORT (a marker: what
                           a receiver shows after it came before it)
"""
import json
import socket
import struct
import sys
import time


def chunk(t, data):
    return struct.pack("!HHH", 0, t, 6 + len(data)) + data


def send(port, call_id, key=None):
    msg = ("REGISTER sip:marker.invalid SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKmarker\r\n"
           "From: <sip:marker@marker.invalid>;tag=1\r\n"
           "To: <sip:marker@marker.invalid>\r\n"
           "Call-ID: %s\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n" % call_id).encode()
    now = time.time()
    body = (chunk(1, b"\x02") + chunk(2, b"\x11") + chunk(7, struct.pack("!H", 9)) +
            chunk(8, struct.pack("!H", 9)) + chunk(9, struct.pack("!I", int(now))) +
            chunk(10, struct.pack("!I", int((now % 1) * 1e6))) + chunk(11, b"\x01") +
            chunk(12, struct.pack("!I", 0)) + chunk(3, socket.inet_aton("127.0.0.9")) +
            chunk(4, socket.inet_aton("127.0.0.9")) +
            (chunk(14, key.encode()) if key else b"") + chunk(15, msg))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"HEP3" + struct.pack("!H", 6 + len(body)) + body, ("127.0.0.1", port))


def decode(pkt):
    if pkt[:4] != b"HEP3" or struct.unpack("!H", pkt[4:6])[0] != len(pkt):
        return {"error": "not a HEPv3 packet of its stated length"}
    out, pos = {"chunks": []}, 6
    while pos < len(pkt):
        vendor, t, n = struct.unpack("!HHH", pkt[pos:pos + 6])
        v = pkt[pos + 6:pos + n]
        if n < 6 or pos + n > len(pkt):
            return {"error": "chunk %d overruns the packet" % t}
        pos += n
        out["chunks"].append(t)
        if vendor != 0:
            continue
        if t == 1:
            out["family"] = {2: 4, 10: 6}.get(v[0], v[0])
        elif t == 2:
            out["ip_proto"] = v[0]
        elif t in (3, 4):
            out["src" if t == 3 else "dst"] = socket.inet_ntop(socket.AF_INET, v)
        elif t in (5, 6):
            out["src" if t == 5 else "dst"] = socket.inet_ntop(socket.AF_INET6, v)
        elif t in (7, 8):
            out["sport" if t == 7 else "dport"] = struct.unpack("!H", v)[0]
        elif t == 9:
            out["sec"] = struct.unpack("!I", v)[0]
        elif t == 10:
            out["usec"] = struct.unpack("!I", v)[0]
        elif t == 11:
            out["type"] = v[0]
        elif t == 12:
            out["capture_id"] = struct.unpack("!I", v)[0]
        elif t == 14:
            out["auth_key"] = v.decode()
        elif t == 15:
            text = v.decode(errors="replace")
            out["first_line"] = text.split("\r\n", 1)[0]
            for line in text.split("\r\n"):
                if line.lower().startswith(("call-id:", "i:")):
                    out["call_id"] = line.split(":", 1)[1].strip()
        elif t == 17:
            out["correlation"] = v.decode()
    return out


def listen(port, path):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    open(path + ".up", "w").close()
    while True:
        pkt = s.recv(70000)
        with open(path, "a") as f:
            f.write(json.dumps(decode(pkt)) + "\n")


def listen_tcp(port, path):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(4)
    open(path + ".up", "w").close()
    while True:
        c, _ = s.accept()
        buf = b""
        while True:
            data = c.recv(65536)
            if not data:
                break
            buf += data
            while len(buf) >= 6:
                n = struct.unpack("!H", buf[4:6])[0]
                if buf[:4] != b"HEP3" or n < 6:
                    buf = b""
                    with open(path, "a") as f:
                        f.write(json.dumps({"error": "the stream lost its framing"}) + "\n")
                    break
                if len(buf) < n:
                    break
                with open(path, "a") as f:
                    f.write(json.dumps(decode(buf[:n])) + "\n")
                buf = buf[n:]
        c.close()


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(int(sys.argv[2]), sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    elif sys.argv[1] == "listen-tcp":
        listen_tcp(int(sys.argv[2]), sys.argv[3])
    else:
        listen(int(sys.argv[2]), sys.argv[3])
