"""A genuine ticket, but the guest's keytab has no host/ key: with
verify_ap_req_nofail nothing verifies (without it anything would)."""
import os


def run(p):
    keytab = os.environ['SPICE_KEYTAB']
    p.guest_krb5_conf('FILE:%s/krb5cc_%%{uid}' % p.tmp, keytab=keytab)
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice')
    alice = p.principal('alice')
    p.refused(1, 'refused %s: ticket verification failed: ticket of %s does not verify '
              'against FILE:%s' % (alice, alice, keytab))
