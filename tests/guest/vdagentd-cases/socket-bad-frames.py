"""Frames a PAM module does not send are refused before their body is
read; a silent peer is dropped after 5 s; REPORT before FETCH is
NOT_FETCHED; the socket keeps serving."""

import socket
import struct
import time

from vdagentd_harness import ALICE_UID, accepted_token, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    token, _ = accepted_token(g)
    hdr = lambda length, typ, ver=3: struct.pack('<IHH', length, typ, ver).hex()  # noqa: E731
    out = g.redeem('raw', hdr(4 + 65536, 0x81))
    check(out == 'STATUS BAD_REQUEST', 'a CRED frame from the peer is refused (%s)' % out)
    out = g.redeem('raw', hdr(4 + 10 ** 6, 0x81))
    check(out == 'STATUS BAD_REQUEST', 'an oversized frame is refused by its header (%s)' % out)
    out = g.redeem('raw', hdr(4 + 16, 1, ver=1))
    check(out == 'STATUS BAD_REQUEST', 'a version 1 FETCH is refused (%s)' % out)
    out = g.redeem('raw', hdr(4 + 20, 1, ver=2))
    check(out == 'STATUS BAD_REQUEST', 'a version 2 FETCH is refused (%s)' % out)
    out = g.redeem('raw', hdr(4 + 20, 1, ver=4))
    check(out == 'STATUS BAD_REQUEST', 'a frame of another version is refused (%s)' % out)
    out = g.redeem('raw', hdr(4 + 16, 0x83) + '00' * 16)
    check(out == 'STATUS BAD_REQUEST', 'a TOKEN frame from the peer is refused (%s)' % out)
    out = g.redeem('raw', hdr(4 + 4, 3) + '01000000')
    check(out == 'STATUS UNKNOWN_TOKEN', 'a JOB for no waiting job is refused (%s)' % out)
    out = g.redeem('raw', hdr(4 + 4, 0x82) + '00000000')
    check(out == 'STATUS BAD_REQUEST', 'a STATUS frame from the peer is refused (%s)' % out)
    out = g.redeem('report', token, 0, ALICE_UID)
    check(out == 'STATUS NOT_FETCHED', 'REPORT before FETCH gets NOT_FETCHED (%s)' % out)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(g.sso_socket)
    s.settimeout(10)
    t0 = time.monotonic()
    check(s.recv(1) == b'', 'a silent peer is disconnected')
    check(time.monotonic() - t0 >= 4, 'after the 5 s timeout')
    s.close()
    g.wait_log(r'redemption socket: peer pid \d+ timed out')
    check(g.redeem('fetch', token).startswith('CRED '), 'the socket still serves')
