# SSO hook 2/4, a check that runs only when the test provides a credential
# (/root/sso-check/alice.ccache, a forwardable TGT of alice's from the
# throwaway realm) and before spice-vdagentd starts: the real PAM module in
# the shipped gdm-ovirtcred (socket= pointed at the PAM tests' redemption
# stand-in, tests/pam/sso-standin, which plays spice-vdagentd's socket and
# signal until a SPICE client can deliver a credential), run by the greeter
# emulator, verifies the TGT against /etc/krb5.keytab through the guest's
# network and stores it in the user's default cache (SSO_CCACHE, e.g.
# KEYRING:persistent:%{uid}); the session reads it with klist as alice.
# Markers: check-start, check-greeter-*, check-session-*, check-klist*,
# tgt-verified, ccache-installed, ccache-destroyed (syslog), check-done.
. /usr/lib/spice-sso/guest-lib.sh
set -u
BB=/usr/bin/busybox
RUN=/run/spice-sso
cc=/root/sso-check/alice.ccache
[ -f $cc ] || { echo "no test credential: nothing to check"; exit 0; }
cc_name=$(sed -n 's/^\s*default_ccache_name\s*=\s*//p' /etc/krb5.conf)
sso_mark check-start "ccache=${cc_name:-default}"
sock=$RUN/standin.sock
pam=$RUN/pam-check
$BB mkdir -p $pam
$BB sed "s|pam_vdagent_sso\.so.*|pam_vdagent_sso.so socket=$sock|" /etc/pam.d/gdm-ovirtcred >$pam/gdm-ovirtcred
$BB cp /etc/pam.d/common-account /etc/pam.d/common-session $pam/
/usr/libexec/spice-sso/sso-standin --socket $sock --ccache $cc </dev/null >$RUN/log/standin.out 2>&1 &
standin=$!
for ((i = 0; i < 100; i++)); do grep -qx owned $RUN/log/standin.out 2>/dev/null && break; $BB sleep 0.05; done
/usr/libexec/spice-sso/greeter-emulator --confdir $pam --timeout 60 -- /usr/lib/spice-sso/session-probe \
	</dev/null 2>&1 | /usr/lib/spice-sso/sso-events greeter check-
rc=0
[ -e $RUN/state/check-greeter-result ] && [ -e $RUN/state/check-klist-ok ] || rc=1
kill -TERM $standin 2>/dev/null
wait $standin
sso_log standin <$RUN/log/standin.out
$BB rm -rf /root/sso-check $pam
# the session closed: its cache is gone
left=$(su -s /bin/bash alice -c 'klist -l 2>/dev/null' | grep -c '@') || true
sso_mark check-done "rc=$rc caches-left=$left"
exit $rc
