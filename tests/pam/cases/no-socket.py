"""Nothing serves the module's socket: authentication information is
unavailable (PAM_AUTHINFO_UNAVAIL), refused."""


def run(p):
    none = p.path('run/vdagentd/none.sock')
    p.module_options[0] = 'socket=' + none
    p.pam_config()
    p.client_tgt('alice')
    p.greeter()
    p.standin('alice')
    p.refused(None, 'refused: cannot redeem the token: cannot connect to ' + none)
    p.expect('greeter.out', r'^pam authenticate 9 ', 'authentication information unavailable')
