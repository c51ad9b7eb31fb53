"""The real client over TLS, every channel bound, with a SASL configuration
listing every installed mechanism: the list the server sends fits
spice-gtk's 300 bytes (without GSSAPI-PLUS and GSS-SPNEGO-PLUS, which the
server drops); delivered once; the TGT leaves the server's memory once
acknowledged."""
import os

from ssotest.core import check


def run(s):
    alice = s.principal('alice')
    s.make_certs()
    # no mech_list: every installed mechanism is offered (with Debian's
    # plugins and the binding set, Cyrus lists 305 bytes)
    s.write_sasl_conf('')
    s.start_host('--gss-delegate', *s.tls_host_opts, '--tls-only')
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    # what the server sends (sso-test-client prints it)
    check(s.run_client('list', '--port', s.tls_port, '--tls', '--ca', s.ca, '--cb') == 0,
          'sso-test-client links')
    m = s.first('client-list.out', r'^mechlist (.*)$')
    mechs = m.group(1) if m else ''
    check(mechs, 'a mechanism list')
    check(len(mechs) <= 300, 'the mechanism list fits spice-gtk\'s 300 bytes (%d: %s)'
          % (len(mechs), mechs))
    names = mechs.split(',')
    check('GSSAPI-PLUS' not in names and 'GSS-SPNEGO-PLUS' not in names,
          'no GSSAPI -PLUS names advertised (%s)' % mechs)
    check('GSSAPI' in names, 'GSSAPI advertised (%s)' % mechs)
    if os.path.exists('/usr/lib/x86_64-linux-gnu/sasl2/libscram.so.2'):
        # mechanisms that negotiate the binding keep their -PLUS names
        check('SCRAM-SHA-256-PLUS' in names, 'SCRAM-SHA-256-PLUS advertised (%s)' % mechs)
    s.wait('host.out', r'^channel-disconnected .*type=main')

    s.start_gtk('c', '--tls-port', s.tls_port, '--spice-ca-file', s.ca, '--spice-gss-delegate')
    s.gtk_delivered('c', 'bound')
    s.wait('host.err', rf'sso: link .*channel=main principal={alice} mech=GSS(API|-SPNEGO) '
           r'tls=yes protection=bound .*result=allowed')
    # spice-gtk binds every channel over TLS, as the server requires once
    # the client delegated
    s.wait('host.err', r'sso: link .*channel=inputs .*tls=yes protection=bound .*result=allowed')
    s.absent('gtk-c.err', r'too long')
    s.recorded_key(os.path.join(s.rec, 'sso-1.ccache'))
    s.key_in_server_memory('absent', 'acknowledged, spice-gtk connected over TLS')
    s.stop(s.gtk)
    s.host_alive()
