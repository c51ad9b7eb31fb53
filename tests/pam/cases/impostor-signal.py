"""A signal from anyone but the owner of org.ovirt.vdsm.Credentials is not
delivered (GDBusProxy): first with no owner, then with one; the owner's
token then logs in."""
import subprocess

from ssotest.core import check, settle


def impostor(p, token):
    subprocess.run(['dbus-send', '--system', '--type=signal', '/org/ovirt/vdsm/Credentials',
                    'org.ovirt.vdsm.Credentials.UserAuthenticated', 'string:' + token],
                   env=p.env, check=True)


def run(p):
    p.client_tgt('alice')
    p.greeter('--', p.probe)
    impostor(p, '00112233445566778899aabbccddeeff')
    standin = p.standin('alice', '--no-emit')
    p.wait('standin.out', r'^owned', 10)
    impostor(p, 'ffeeddccbbaa99887766554433221100')
    settle(1)
    p.absent('greeter.out', r'^signal', "no impostor's signal reached the greeter")
    p.stop(standin)
    p.standin('alice')
    p.wait('greeter.out', r'^result ', 60)
    p.expect('greeter.out', r'^result ok', "the owner's token logs in")
    check(p.count('greeter.out', r'^signal') == 1, 'exactly one signal delivered')
    p.greeter_done()
    p.no_cache_left()
