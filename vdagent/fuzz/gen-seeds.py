#!/usr/bin/python3
"""Write the seeds of fuzz-vdagentd-payload: VD_AGENT_SSO payloads (version 2,
24-byte header, principal, credential) around the credential records (cred_type 2) of
vdagent/pam/fuzz/seeds. Run from this directory."""
import os
import struct

SRC = os.path.join('..', 'pam', 'fuzz', 'seeds')
for name in sorted(os.listdir(SRC)):
    with open(os.path.join(SRC, name), 'rb') as f:
        cred = f.read()
    principal = b'alice@SPICE.TEST'
    payload = struct.pack('<IIIIII', 2, 7, 3, 2, len(principal), len(cred)) + principal + cred
    with open(os.path.join('seeds', name), 'wb') as f:
        f.write(payload)
