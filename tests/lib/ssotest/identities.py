"""Test accounts without touching the machine's account databases:
nss_wrapper passwd and group files in a directory of the test's (the
Python side of tests/lib/identities.sh, which bash harnesses source).

    env = ssotest.identities.create(DIR)   DIR/passwd, DIR/group, homes;
                                           -> the NSS_WRAPPER_* variables
    ssotest.identities.PRELOAD             LD_PRELOAD for programs that
                                           must see the accounts

Accounts (principal in the realm -> account): alice 5001 and bob 5002
(users, homes in DIR/home), root 0, daemon 1 (a system account), nobody
65534 and dynuser 61184 (above UID_MAX), all to be refused; mallory has no
account. Password fields are "*" (no password, not shadowed): pam_unix
reads a shadowed entry from /etc/shadow itself, past nss_wrapper.
"""
import glob
import os

from .core import Skip

ALICE_UID = 5001
BOB_UID = 5002
PRELOAD = (sorted(glob.glob('/usr/lib/*/libnss_wrapper.so')) or [''])[0]


def create(directory):
    if not PRELOAD:
        raise Skip('libnss_wrapper.so not found (package libnss-wrapper)')
    for user in ('alice', 'bob'):
        os.makedirs(os.path.join(directory, 'home', user), exist_ok=True)
    home = os.path.join(directory, 'home')
    with open(os.path.join(directory, 'passwd'), 'w') as f:
        f.write('root:*:0:0:root:/root:/bin/bash\n'
                'daemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n'
                'alice:*:5001:5001:Alice:%s/alice:/bin/bash\n'
                'bob:*:5002:5002:Bob:%s/bob:/bin/bash\n'
                'nobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n'
                'dynuser:*:61184:61184:Dynamic User:/:/usr/sbin/nologin\n' % (home, home))
    with open(os.path.join(directory, 'group'), 'w') as f:
        f.write('root:x:0:\ndaemon:x:1:\nalice:x:5001:\nbob:x:5002:\nnogroup:x:65534:\n'
                'dynuser:x:61184:\n')
    os.chown(os.path.join(home, 'alice'), ALICE_UID, ALICE_UID)
    os.chown(os.path.join(home, 'bob'), BOB_UID, BOB_UID)
    for d in (directory, home):
        os.chmod(d, 0o755)
    for f in ('passwd', 'group'):
        os.chmod(os.path.join(directory, f), 0o644)
    return {'NSS_WRAPPER_PASSWD': os.path.join(directory, 'passwd'),
            'NSS_WRAPPER_GROUP': os.path.join(directory, 'group')}
