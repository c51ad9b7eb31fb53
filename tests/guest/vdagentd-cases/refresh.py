"""The principal's user already has a session on the seat: vdagentd
runs no Kerberos; it has systemd start the helper (the real
spice-vdagent-sso-helper), which maps the principal and, given a token,
runs the real PAM service spice-vdagentd-sso: pam_vdagent_sso redeems
the token, verifies the new TGT against the keytab and, in
pam_setcred(PAM_REFRESH_CRED), writes it as the user into the session's
existing cache (here FILE:<dir>/tmp/krb5cc_5001, the
default_ccache_name); an unlocked session gets no signal. A symbolic link
planted at the cache path is not followed, and a cache holding another
principal is not overwritten."""

import os
import re
import stat
import subprocess
import time

from vdagentd_harness import (
    ALICE_UID, FLAG_LOGIN, FLAG_REFRESH, PRINCIPAL, check, creds, guest, wait_for)


def run(guests):
    g = guest(guests, syslog=True)
    g.start()
    cache = os.path.join(g.cache_dir, 'krb5cc_%d' % ALICE_UID)

    def plant(data, uid=ALICE_UID):
        # the credential as a FILE cache, written by krb5
        if os.path.exists(cache + '.new'):
            os.unlink(cache + '.new')
        subprocess.run([os.environ['SSO_TOOL'], 'write-ccache', cache + '.new'], input=data,
                       check=True)
        os.chown(cache + '.new', uid, uid)
        os.chmod(cache + '.new', 0o600)
        os.rename(cache + '.new', cache)

    def key_in_cache():
        return subprocess.run([os.environ['SSO_TOOL'], 'session-key', cache], capture_output=True,
                              text=True).stdout.strip()

    # alice logged in by single sign-on earlier: her session and her cache
    old, old_key = creds(g)
    plant(old)
    g.add_user_session('2', ALICE_UID, 'alice')
    new, new_key = creds(g)
    check(new_key != old_key, 'a new TGT with a new session key')
    g.send_sso(PRINCIPAL('alice'), new, serial=81, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(81, 'ACCEPTED')
    g.wait_log(r'sso: refreshing the credential cache of uid 5001 with a new TGT of alice@\S+'
               r' \(the helper of job (\d+), through PAM\)')
    g.syslog.wait(r'pam_vdagent_sso\(spice-vdagentd-sso:setcred\): refreshed credential cache'
                  r' FILE:%s of user alice \(uid 5001\) with alice@' % re.escape(cache), 15)
    g.wait_log(r'sso: refresh of uid 5001 with alice@\S+: the helper\'s PAM module verified')
    check(g.systemd.wait_done() == [0], 'the helper exits 0')
    check(re.search(r'spice-vdagentd-sso@\d+\.service', ' '.join(g.systemd.started)),
          'vdagentd had systemd start spice-vdagentd-sso@JOB.service')
    check(key_in_cache() == new_key.hex(), 'the cache now holds the new TGT')
    st = os.lstat(cache)
    check(stat.S_ISREG(st.st_mode) and st.st_uid == ALICE_UID and
          stat.S_IMODE(st.st_mode) == 0o600, 'still alice\'s regular file, mode 0600')
    time.sleep(1.5)
    check(g.listener.count() == 0, 'no signal: the session is not locked')

    # a symbolic link planted at the cache path is not followed
    victim = os.path.join(g.dir, 'victim')
    with open(victim, 'w') as f:
        f.write('not a cache\n')
    os.chmod(victim, 0o600)
    os.unlink(cache)
    os.symlink(victim, cache)
    newer, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), newer, serial=82, flags=FLAG_REFRESH)
    g.expect_reply(82, 'ACCEPTED')
    wait_for(lambda: re.search(r'could not refresh the credential cache of alice \(uid 5001\):'
                               r' pam_setcred\(PAM_REFRESH_CRED\)', g.helper_log()), 15,
             'the helper to fail the refresh')
    check(os.path.islink(cache) and open(victim).read() == 'not a cache\n',
          'the link was not followed, its target is untouched')
    os.unlink(cache)

    # a cache of alice's that holds bob's ticket is not overwritten
    bob, bob_key = creds(g, 'bob')
    plant(bob)
    g.send_sso(PRINCIPAL('alice'), newer, serial=83, flags=FLAG_REFRESH)
    g.expect_reply(83, 'ACCEPTED')
    g.syslog.wait(r'did not refresh a credential cache of user alice with alice@', 15)
    check(key_in_cache() == bob_key.hex(), 'the cache still holds bob\'s ticket')
    os.unlink(cache)
