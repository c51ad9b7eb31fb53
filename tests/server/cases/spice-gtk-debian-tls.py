"""Debian's unpatched spice-client-glib over TLS: it does not bind
either; nothing delivered."""


def run(s):
    s.tls_host()
    s.debian_gtk('--tls-port', s.tls_port, '--spice-ca-file', s.ca)
    s.wait('host.err', r'sso: link .*channel=main principal=%s .*tls=yes protection=none '
           % s.principal('alice'))
