"""A remote login (PAM_RHOST) on seat0 hears the token too: refused before
it redeems anything; the token then logs in at seat0's local greeter."""


def run(p):
    p.wrong_greeter(['--rhost', 'client.example.test'],
                    r'the conversation is a remote login \(PAM_RHOST client.example.test\); '
                    r"single sign-on serves only seat0's local greeter")
