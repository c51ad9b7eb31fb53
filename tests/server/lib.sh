# Helpers for server-side integration tests: a throwaway realm is already up
# (tests/with-realm), this starts the patched spice-server host, agents and
# clients, waits for their event lines and cleans everything up.
#
# Programs (meson passes their paths in the environment):
#   SPICE_TEST_HOST SSO_TEST_CLIENT AGENT_STANDIN SSO_TOKEN_KEY SCAN_MEMORY
#
# The host runs in its own UTS and mount namespaces, with hostname
# "spice-host" and an /etc/hosts that maps 127.0.0.1 to
# spice-host.spice.test: Cyrus SASL then names the acceptor
# spice/spice-host.spice.test (what $SPICE_KEYTAB holds), whatever this
# machine is called. Clients use that name (--sasl-host) and connect to
# 127.0.0.1.
#
#   sso_setup                   work directory $W (0700), cleanup trap
#   start_host [host options]   sets HOST_PID, PORT, TLS_PORT; log $W/host.out/.err
#   start_agent NAME [options]  sets AGENT_PID; log $W/agent-NAME.out
#   start_client NAME [options] background client, sets CLIENT_PID; $W/client-NAME.out
#   run_client NAME [options]   foreground; returns its exit status
#   start_gtk NAME [options]    spice-sso-connect (spice-client-glib) to the
#                               host by name, sets GTK_PID; $W/gtk-NAME.out/.err
#   user_tgt PRINC [kinit opts] TGT of PRINC into $W/ccache-PRINC, exported as KRB5CCNAME
#   wait_for FILE REGEX [SECONDS]
#   expect_absent FILE REGEX
#   make_certs                  CA and server certificate in $W/tls
#   stop_pid PID
#   fail MESSAGE
# shellcheck shell=bash

HOSTNAME_SPICE=spice-host
FQDN_SPICE=${REALM_SPICE_HOST:-spice-host.spice.test}
PIDS=()

fail() {
	echo "FAIL: $*"
	local f
	for f in "$W"/*.out "$W"/*.err; do
		[ -f "$f" ] || continue
		echo "----- ${f##*/}"
		tail -n 40 "$f"
	done
	exit 1
}

skip() {
	echo "$*"
	exit 77
}

_cleanup() {
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill "${PIDS[i]}" 2>/dev/null || true
	done
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		wait "${PIDS[i]}" 2>/dev/null || true
	done
	[ -n "${W:-}" ] && rm -rf "$W"
}

sso_setup() {
	for v in SPICE_TEST_HOST SSO_TEST_CLIENT AGENT_STANDIN; do
		[ -x "${!v:-}" ] || skip "$v is not set to a built program"
	done
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	unshare --uts --mount true 2>/dev/null ||
		skip "cannot create UTS and mount namespaces here (unshare needs root or CAP_SYS_ADMIN)"
	W=$(mktemp -d /tmp/spice-sso-server-test.XXXXXX)
	chmod 700 "$W"
	trap _cleanup EXIT
	trap 'exit 130' INT TERM
	echo "127.0.0.1 $FQDN_SPICE $HOSTNAME_SPICE localhost" >"$W/hosts"
	mkdir -p "$W/sasl" "$W/rec"
	chmod 700 "$W/rec"
	# the mechanisms spice-gtk ends up with against Kerberos
	echo "mech_list: GSSAPI GSS-SPNEGO" >"$W/sasl/spice-test.conf"
	umask 077
}

wait_for() { # file regex [seconds]
	local file=$1 re=$2 t=${3:-15} i
	for ((i = 0; i < t * 20; i++)); do
		if [ -f "$file" ] && grep -Eq -- "$re" "$file"; then
			return 0
		fi
		sleep 0.05
	done
	fail "timed out after ${t}s waiting for /$re/ in ${file##*/}"
}

expect_absent() { # file regex
	if [ -f "$1" ] && grep -Eq -- "$2" "$1"; then
		fail "unexpected /$2/ in ${1##*/}: $(grep -E -- "$2" "$1" | head -n 3)"
	fi
}

count_of() { # file regex
	if [ -f "$1" ]; then grep -Ec -- "$2" "$1"; else echo 0; fi
}

stop_pid() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

start_host() {
	rm -f "$W/host.out" "$W/host.err"
	KRB5_KTNAME=$SPICE_KEYTAB SASL_CONF_PATH=$W/sasl \
		unshare --uts --mount sh -c '
			hostname "$0" && mount --bind "$1" /etc/hosts && shift && exec "$@"' \
		"$HOSTNAME_SPICE" "$W/hosts" "$SPICE_TEST_HOST" --agent-socket "$W/agent.sock" "$@" \
		>"$W/host.out" 2>"$W/host.err" &
	HOST_PID=$!
	PIDS+=("$HOST_PID")
	wait_for "$W/host.out" '^ready ' 10
	PORT=$(sed -n 's/^listening .* port=\([0-9]*\) .*/\1/p' "$W/host.out")
	TLS_PORT=$(sed -n 's/^listening .* tls-port=\([0-9]*\)$/\1/p' "$W/host.out")
}

start_agent() { # name [options]
	local name=$1
	shift
	"$AGENT_STANDIN" --socket "$W/agent.sock" --record "$W/rec" "$@" >"$W/agent-$name.out" 2>&1 &
	AGENT_PID=$!
	PIDS+=("$AGENT_PID")
	wait_for "$W/agent-$name.out" '^caps-sent '
}

_client_args() {
	echo --addr 127.0.0.1 --sasl-host "$FQDN_SPICE"
}

start_client() { # name [options]
	local name=$1
	shift
	# shellcheck disable=SC2046
	"$SSO_TEST_CLIENT" $(_client_args) "$@" </dev/null >"$W/client-$name.out" 2>&1 &
	CLIENT_PID=$!
	PIDS+=("$CLIENT_PID")
}

run_client() { # name [options]
	local name=$1
	shift
	# shellcheck disable=SC2046
	"$SSO_TEST_CLIENT" $(_client_args) "$@" </dev/null >"$W/client-$name.out" 2>&1
}

# The spice-gtk based client, $SPICE_SSO_CONNECT. spice-gtk asks for a
# ticket to spice/<the host it connects to>, so it connects to the host's
# name, resolved through $W/hosts (bind-mounted on /etc/hosts in a mount
# namespace of its own) to 127.0.0.1. It runs until stop_pid.
start_gtk() { # name [spice-sso-connect options]
	local name=$1
	shift
	[ -x "${SPICE_SSO_CONNECT:-}" ] || skip "SPICE_SSO_CONNECT is not set to a built program"
	unshare --mount sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$W/hosts" \
		"$SPICE_SSO_CONNECT" --host "$FQDN_SPICE" --ignore-stdin --timeout 30 "$@" \
		</dev/null >"$W/gtk-$name.out" 2>"$W/gtk-$name.err" &
	GTK_PID=$!
	PIDS+=("$GTK_PID")
}

user_tgt() { # principal [kinit options]
	local p=$1
	shift
	export KRB5CCNAME=FILE:$W/ccache-$p
	kinit "$@" "$p@$REALM" <"$REALM_DIR/password" >/dev/null || fail "kinit $p failed"
}

host_alive() {
	kill -0 "$HOST_PID" 2>/dev/null || fail "spice-test-host died"
}

make_certs() {
	local d=$W/tls
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -subj "/CN=spice-sso test CA" \
		-keyout "$d/ca-key.pem" -out "$d/ca-cert.pem" >/dev/null 2>&1 || fail "CA"
	openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$FQDN_SPICE" \
		-keyout "$d/server-key.pem" -out "$d/server.csr" >/dev/null 2>&1 || fail "CSR"
	printf 'subjectAltName=DNS:%s\n' "$FQDN_SPICE" >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca-cert.pem" -CAkey "$d/ca-key.pem" \
		-CAcreateserial -days 1 -sha256 -extfile "$d/ext" -out "$d/server-cert.pem" \
		>/dev/null 2>&1 || fail "server certificate"
	TLS_HOST_OPTS=(--tls-port 0 --cert "$d/server-cert.pem" --key "$d/server-key.pem"
		--ca "$d/ca-cert.pem")
}

# The session key of the TGT in a recorded credential (tests/server/ccache-key.c,
# on the sso-N.creds recorded beside the cache),
# into $W/key (0600): the forwarded TGT's key, for the memory scans.
recorded_key() { # file
	"$CCACHE_KEY" "${1%.ccache}.creds" >"$W/key" || fail "no session key in $1"
}

# The recorded credential is the user's forwarded TGT: klist reads it.
check_recorded_tgt() { # file principal
	local out
	out=$(klist -f -c "FILE:$1" 2>&1) || fail "klist cannot read $1: $out"
	grep -q "^Default principal: $2\$" <<<"$out" || fail "klist: wrong principal: $out"
	grep -q "krbtgt/$REALM@$REALM" <<<"$out" || fail "klist: no TGT: $out"
	grep -Eq "Flags: [A-Za-z]*f" <<<"$out" || fail "klist: TGT not forwarded: $out"
	[ "$(stat -c %a "$1")" = 600 ] || fail "$1 is not 0600"
}
