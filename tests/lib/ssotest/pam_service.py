"""The PAM service gdm-ovirtcred for a test (the Python side of
tests/lib/pam-service.sh): the shipped file (vdagent/pam/gdm-ovirtcred)
with the module taken from the build directory and the test's module
options, next to the machine's own common-account and common-session, in
a directory of the test's that Linux-PAM reads through pam_start_confdir
(the greeter emulator's --confdir).

    ssotest.pam_service.write(DIR, MODULE, *options)
"""
import os
import re
import shutil

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
SHIPPED = os.path.join(TOP, 'vdagent', 'pam', 'gdm-ovirtcred')


def write(directory, module, *options):
    os.makedirs(directory, exist_ok=True)
    line = ' '.join([module] + [o for o in options if o])
    out = []
    with open(SHIPPED) as f:
        for l in f:
            # only the module line changes: path and options; every other
            # line is the shipped one
            m = re.match(r'^(\S*\s*\S*\s*)pam_vdagent_sso\.so.*', l)
            out.append(m.group(1) + line + '\n' if m else l)
    with open(os.path.join(directory, 'gdm-ovirtcred'), 'w') as f:
        f.writelines(out)
    for name in ('common-account', 'common-session'):
        shutil.copy(os.path.join('/etc/pam.d', name), directory)
