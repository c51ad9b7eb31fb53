# A throwaway MIT Kerberos realm on loopback, shared by the tests and the demo.
# Source this file, then:
#   realm_start [dir]   create the realm in a new directory (or the one given),
#                       start krb5kdc on 127.0.0.1 on a free port, export the env
#   realm_stop          stop the KDC by its PID and remove the directory
#   realm_kinit PRINC [kinit options]   get a TGT for a test principal into $KRB5CCNAME
# Callers install a trap that calls realm_stop (tests/with-realm does).
#
# Principals (realm SPICE.TEST), all with the password in $REALM_DIR/password
# where they have one:
#   alice, bob        users that map to local test accounts
#   root              maps to uid 0: must always be refused
#   daemon            maps to a system account (uid below UID_MIN)
#   mallory           has no local account
#   spice/$REALM_SPICE_HOST, spice/localhost   the SPICE server (keytab $SPICE_KEYTAB)
#   spice/wrong.spice.test                     exists, but is in no keytab
#   host/$REALM_GUEST_HOST                     the guest (keytab $HOST_KEYTAB)
# shellcheck shell=bash

REALM=${REALM:-SPICE.TEST}
REALM_SPICE_HOST=${REALM_SPICE_HOST:-spice-host.spice.test}
REALM_GUEST_HOST=${REALM_GUEST_HOST:-guest.spice.test}

_realm_free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q . &&
			! ss -Hlun "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

realm_start() {
	local dir=${1:-}
	if [ -z "$dir" ]; then
		dir=$(mktemp -d /tmp/spice-sso-realm.XXXXXX)
	else
		mkdir -p "$dir"
	fi
	# krb5.conf must be readable by test users' processes (as /etc/krb5.conf
	# is); the secrets are not: the database, stash, keytabs, password.
	chmod 755 "$dir"
	REALM_DIR=$dir
	mkdir -p -m 700 "$dir/rcache" "$dir/db"
	head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
	chmod 600 "$dir/password"

	local port tries=0
	while :; do
		port=$(_realm_free_port) || { echo "realm: no free port" >&2; return 1; }
		cat >"$dir/krb5.conf" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	rdns = false
	udp_preference_limit = 1
	forwardable = false
	verify_ap_req_nofail = true

[realms]
	$REALM = {
		kdc = 127.0.0.1:$port
		admin_server = 127.0.0.1:$port
	}

[domain_realm]
	.spice.test = $REALM
	spice.test = $REALM
	localhost = $REALM
	.localhost = $REALM
EOF
		cat >"$dir/kdc.conf" <<EOF
[kdcdefaults]
	kdc_listen = 127.0.0.1:$port
	kdc_tcp_listen = 127.0.0.1:$port

[realms]
	$REALM = {
		database_name = $dir/db/principal
		key_stash_file = $dir/db/stash
		acl_file = $dir/kadm5.acl
		kdc_listen = 127.0.0.1:$port
		kdc_tcp_listen = 127.0.0.1:$port
		max_life = 10h 0m 0s
		max_renewable_life = 7d 0h 0m 0s
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}

[logging]
	kdc = FILE:$dir/kdc.log
	admin_server = FILE:$dir/kadmin.log
	default = FILE:$dir/krb5lib.log
EOF
		: >"$dir/kadm5.acl"
		chmod 644 "$dir/krb5.conf"
		export KRB5_CONFIG=$dir/krb5.conf KRB5_KDC_PROFILE=$dir/kdc.conf
		export KRB5RCACHEDIR=$dir/rcache KRB5CCNAME=FILE:$dir/ccache
		unset KRB5_KTNAME KRB5_CLIENT_KTNAME
		if [ ! -f "$dir/db/principal" ]; then
			kdb5_util create -s -r "$REALM" -P "$(head -c 24 /dev/urandom | base64)" >"$dir/setup.log" 2>&1 ||
				{ cat "$dir/setup.log" >&2; return 1; }
			_realm_principals "$dir" >>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; return 1; }
		fi
		rm -f "$dir/kdc.pid"
		(umask 077 && exec krb5kdc -n -P "$dir/kdc.pid" >>"$dir/kdc.out" 2>&1) &
		REALM_KDC_PID=$!
		# ready when it answers; a taken port makes it exit
		local i
		for i in $(seq 100); do
			kill -0 "$REALM_KDC_PID" 2>/dev/null || break
			if ss -Hltn "sport = :$port" | grep -q .; then break; fi
			sleep 0.05
		done
		if kill -0 "$REALM_KDC_PID" 2>/dev/null && ss -Hltn "sport = :$port" | grep -q .; then
			break
		fi
		wait "$REALM_KDC_PID" 2>/dev/null || true
		tries=$((tries + 1))
		[ $tries -lt 5 ] || { echo "realm: krb5kdc did not start (see $dir/kdc.log)" >&2; return 1; }
	done
	REALM_KDC_PORT=$port
	export REALM REALM_DIR REALM_KDC_PID REALM_KDC_PORT REALM_SPICE_HOST REALM_GUEST_HOST
	export SPICE_KEYTAB=$dir/spice.keytab HOST_KEYTAB=$dir/host.keytab
	{
		for v in REALM REALM_DIR REALM_KDC_PID REALM_KDC_PORT REALM_SPICE_HOST REALM_GUEST_HOST \
			SPICE_KEYTAB HOST_KEYTAB KRB5_CONFIG KRB5_KDC_PROFILE KRB5RCACHEDIR KRB5CCNAME; do
			printf "%s='%s'\n" "$v" "${!v}"
		done
	} >"$dir/env"
}

_realm_principals() {
	local dir=$1 pw p
	pw=$(cat "$dir/password")
	for p in alice bob root daemon mallory nobody dynuser; do
		kadmin.local -q "addprinc -pw $pw $p@$REALM" || return 1
	done
	for p in "spice/$REALM_SPICE_HOST" spice/localhost spice/wrong.spice.test "host/$REALM_GUEST_HOST"; do
		kadmin.local -q "addprinc -randkey $p@$REALM" || return 1
	done
	kadmin.local -q "ktadd -k $dir/spice.keytab spice/$REALM_SPICE_HOST@$REALM spice/localhost@$REALM" || return 1
	kadmin.local -q "ktadd -k $dir/host.keytab host/$REALM_GUEST_HOST@$REALM" || return 1
	chmod 600 "$dir/spice.keytab" "$dir/host.keytab"
}

realm_kinit() {
	local princ=$1
	shift
	kinit "$@" "$princ@$REALM" <"$REALM_DIR/password" >/dev/null
}

realm_stop() {
	[ -n "${REALM_DIR:-}" ] || return 0
	if [ -n "${REALM_KDC_PID:-}" ]; then
		kill "$REALM_KDC_PID" 2>/dev/null || true
		wait "$REALM_KDC_PID" 2>/dev/null || true
	fi
	case "$REALM_DIR" in
	/tmp/spice-sso-realm.* | */realm) rm -rf "$REALM_DIR" ;;
	esac
	unset REALM_DIR REALM_KDC_PID
}
