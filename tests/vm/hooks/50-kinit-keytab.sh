# vm-e2e hook (tests/vm/test-guest-kinit): the guest gets a TGT with its own
# host/ keytab from the host's KDC, through qemu's user-mode network only
# (guestfwd 10.0.2.100:88 -> the KDC's loopback port), checks it, and does
# the same with kernel keyring caches. Reports each step as a marker.
. /usr/lib/spice-sso/guest-lib.sh
set -u
princ=${SSO_HOST_PRINCIPAL:-host/guest.spice.test}
fail() { sso_mark "$1" "${2:-}"; exit 1; }

n=$(klist -k /etc/krb5.keytab 2>/dev/null | grep -c "$princ@") || fail keytab-bad "no $princ in /etc/krb5.keytab"
sso_mark keytab-ok "entries=$n mode=$(stat -c %a /etc/krb5.keytab) owner=$(stat -c %U /etc/krb5.keytab)"

# FILE cache
cc=FILE:/tmp/krb5cc_host
t0=$(sso_now_ms)
kinit -k -c "$cc" "$princ" || fail kinit-failed "ccache=FILE"
sso_mark kinit-ok "ccache=FILE principal=$princ ms=$(($(sso_now_ms) - t0))"
klist -c "$cc" >/tmp/klist.out || fail klist-failed "ccache=FILE"
sso_log klist </tmp/klist.out
client=$(sed -n 's/^Default principal: //p' /tmp/klist.out)
grep -q "krbtgt/${client#*@}@${client#*@}" /tmp/klist.out || fail klist-failed "no TGT in the cache"
sso_mark klist-ok "ccache=FILE client=$client tgt=krbtgt/${client#*@}@${client#*@}"
# a service ticket for the guest itself, decrypted with the guest's keytab:
# the TGT is good and the keytab holds the right key
t0=$(sso_now_ms)
kvno -c "$cc" -k /etc/krb5.keytab "$princ" >/tmp/kvno.out 2>&1 || { sso_log kvno </tmp/kvno.out; fail kvno-failed; }
sso_mark kvno-ok "service=$princ verified-with=/etc/krb5.keytab ms=$(($(sso_now_ms) - t0))"
kdestroy -c "$cc"

# KEYRING caches: a new session keyring, and root's persistent keyring
out=$(keyctl session sso-test bash -c '
	kinit -k -c KEYRING:session:sso "$1" && klist -c KEYRING:session:sso && keyctl show @s' _ "$princ" 2>&1) ||
	{ sso_log keyring <<<"$out"; fail keyring-failed "type=session"; }
sso_log keyring-session <<<"$out"
grep -q "krbtgt/" <<<"$out" || fail keyring-failed "type=session no TGT listed"
sso_mark keyring-ok "ccache=KEYRING:session:sso"
out=$(kinit -k -c KEYRING:persistent:0 "$princ" 2>&1 && klist -c KEYRING:persistent:0 2>&1) ||
	{ sso_log keyring <<<"$out"; fail keyring-failed "type=persistent"; }
sso_log keyring-persistent <<<"$out"
grep -q "krbtgt/" <<<"$out" || fail keyring-failed "type=persistent no TGT listed"
kdestroy -A -c KEYRING:persistent:0 2>/dev/null
sso_mark keyring-ok "ccache=KEYRING:persistent:0"
